package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Event says who acted where.
type Event struct {
	Platform  string
	Team      string
	Channel   string
	User      string
	UserName  string
	CanManage bool // may change the channel's daily schedule
	IsBot     bool
}

func (e Event) tenant() quiz.Tenant { return quiz.Tenant{Platform: e.Platform, Team: e.Team} }

// Bot keeps the conversation: it parses commands, turns commands and
// clicks into quiz calls, and renders the replies. A round's delivery
// (posting, refreshing, revealing) belongs to Rounds.
type Bot struct {
	store     *quiz.Store
	log       *slog.Logger
	platforms *registry
	rounds    *Rounds
}

// New returns a Bot over store. A nil logger discards logs.
func New(store *quiz.Store, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := &registry{platforms: map[string]Platform{}}
	return &Bot{
		store: store, log: log.With("component", "bot"), platforms: reg,
		rounds: newRounds(store, reg, log.With("component", "rounds")),
	}
}

// Store returns the quiz store.
func (b *Bot) Store() *quiz.Store { return b.store }

// Rounds returns the component that delivers rounds, for the loops.
func (b *Bot) Rounds() *Rounds { return b.rounds }

// Register makes p the platform for rounds of the named platform.
func (b *Bot) Register(name string, p Platform) { b.platforms.set(name, instrumented{name, p}) }

// registry holds the platforms by name.
type registry struct {
	mu        sync.RWMutex
	platforms map[string]Platform
}

func (r *registry) set(name string, p Platform) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.platforms[name] = p
}

func (r *registry) get(name string) Platform {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.platforms[name]
}

// Command runs a parsed command for ev and returns the private reply.
func (b *Bot) Command(ctx context.Context, ev Event, c Command) Reply {
	var (
		r   Reply
		err error
	)
	switch c.Name {
	case "start":
		r, err = b.start(ctx, ev, c)
	case "daily":
		r, err = b.daily(ctx, ev, c)
	case "leaderboard":
		r, err = b.leaderboard(ctx, ev, c)
	case "redo":
		r, err = b.redo(ctx, ev)
	case "drill":
		r, err = b.drill(ctx, ev, c)
	case "stats":
		r, err = b.stats(ctx, ev)
	default:
		r = Help()
	}
	if err != nil {
		return b.errorReply(ev, "command", err)
	}
	return r
}

// CommandText parses text (the words after /asyncquiz) and runs it.
func (b *Bot) CommandText(ctx context.Context, ev Event, text string) Reply {
	c, err := ParseText(text)
	if err != nil {
		return b.errorReply(ev, "parse", err)
	}
	return b.Command(ctx, ev, c)
}

func (b *Bot) errorReply(ev Event, what string, err error) Reply {
	if quiz.ErrorCode(err) == quiz.EInternal {
		b.log.Error("Request failed", "what", what, "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel, "error", err)
	}
	return textReply(quiz.ErrorMessage(err))
}

// Help lists the subcommands with their right forms.
func Help() Reply {
	var sb strings.Builder
	sb.WriteString("asyncquiz: a daily Python asyncio quiz. Answers are proven by running CPython.\n")
	for _, s := range Subcommands {
		sb.WriteString("\n• " + usages[s])
	}
	sb.WriteString("\n\nCategories: basics, core, intermediate, advanced, real-world (or mixed). " +
		"Difficulty: easy, medium, hard. Rounds last 10m unless you say otherwise (5s to 7d).")
	return Reply{Message: Message{Title: "How to use asyncquiz", Text: sb.String()}}
}

func (b *Bot) start(ctx context.Context, ev Event, c Command) (Reply, error) {
	r, q, err := b.rounds.Open(ctx, quiz.OpenInput{
		Tenant: ev.tenant(), Channel: ev.Channel, OpenedBy: ev.User,
		Category: c.Category, Difficulty: c.Difficulty, Duration: c.Duration,
	}, false)
	if err != nil {
		return Reply{}, err
	}
	metrics.RoundsOpened.WithLabelValues(ev.Platform, "start").Inc()
	return Reply{Message: Message{
		Text:          fmt.Sprintf("Round %d started with a %s %s question.", r.ID, difficultyWord(q.Difficulty), q.Category),
		Deadline:      r.ClosesAt,
		DeadlineLabel: "It is revealed",
	}}, nil
}

// Click handles a button press. The action comes from a Button this bot
// rendered; anything else gets a private refusal.
func (b *Bot) Click(ctx context.Context, ev Event, action string) Reply {
	if ev.IsBot {
		return textReply("Bots cannot answer.")
	}
	parts := strings.Split(action, ":")
	var (
		r   Reply
		err error
	)
	switch {
	case len(parts) == 3 && parts[0] == "r":
		r, err = b.answerRound(ctx, ev, parts[1], parts[2])
	case len(parts) == 4 && parts[0] == "d":
		r, err = b.answerDrill(ctx, ev, parts[1], parts[2], parts[3])
	case len(parts) == 4 && parts[0] == "x": // x:question:order:letter
		r, err = b.answerRedo(ctx, ev, parts[1], parts[2], parts[3])
	case len(parts) == 3 && parts[0] == "x": // a card posted before shuffling
		r, err = b.answerRedo(ctx, ev, parts[1], "", parts[2])
	default:
		err = quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
	}
	if err != nil {
		return b.errorReply(ev, "click", err)
	}
	return r
}

func (b *Bot) answerRound(ctx context.Context, ev Event, id, letter string) (Reply, error) {
	roundID, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return Reply{}, quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
	}
	res, err := b.store.Answer(ctx, quiz.AnswerInput{
		Tenant: ev.tenant(), RoundID: roundID, UserID: ev.User, UserName: ev.UserName, Option: letter,
	})
	if err != nil {
		return Reply{}, err
	}
	if !res.Recorded {
		return textReply(fmt.Sprintf("You already answered %s. Your first answer counts.", res.Shown)), nil
	}
	metrics.AnswersRecorded.WithLabelValues(ev.Platform, "round").Inc()
	b.rounds.MarkDirty(res.Round)
	return Reply{Message: Message{
		Text:          fmt.Sprintf("Locked in %s.", res.Shown),
		Deadline:      res.Round.ClosesAt,
		DeadlineLabel: "The answer is revealed",
	}}, nil
}

func difficultyWord(d int) string {
	switch d {
	case 1:
		return "easy"
	case 3:
		return "hard"
	}
	return "medium"
}

// now is the store's clock, shared so the bot and store agree on time.
func (b *Bot) now() time.Time { return b.store.Now() }
