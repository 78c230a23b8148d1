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

// Bot maps commands and clicks to quiz calls and renders the results.
type Bot struct {
	store *quiz.Store
	log   *slog.Logger

	mu        sync.RWMutex
	platforms map[string]Platform

	wake         chan struct{}
	schedChanged chan struct{}

	afterFunc func(time.Duration, func())
	pending   map[uint64]bool // rounds with a count refresh scheduled
}

// New returns a Bot over store. A nil logger discards logs.
func New(store *quiz.Store, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bot{
		store: store, log: log.With("component", "bot"), platforms: map[string]Platform{}, wake: make(chan struct{}, 1),
		schedChanged: make(chan struct{}, 1),
		afterFunc:    func(d time.Duration, f func()) { time.AfterFunc(d, f) }, pending: map[uint64]bool{},
	}
}

// Store returns the quiz store.
func (b *Bot) Store() *quiz.Store { return b.store }

// Register makes p the platform for rounds of the named platform.
func (b *Bot) Register(name string, p Platform) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.platforms[name] = instrumented{name, p}
}

func (b *Bot) platform(name string) Platform {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.platforms[name]
}

// Wakeups delivers a signal whenever a round is opened, so the reveal loop
// can re-plan its sleep.
func (b *Bot) Wakeups() <-chan struct{} { return b.wake }

func (b *Bot) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
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
	p := b.platform(ev.Platform)
	if p == nil {
		return Reply{}, fmt.Errorf("no platform %q registered", ev.Platform)
	}
	r, q, err := b.store.OpenRound(ctx, quiz.OpenInput{
		Tenant: ev.tenant(), Channel: ev.Channel, OpenedBy: ev.User,
		Category: c.Category, Difficulty: c.Difficulty, Duration: c.Duration,
	})
	if err != nil {
		return Reply{}, err
	}
	metrics.RoundsOpened.WithLabelValues(ev.Platform, "start").Inc()
	if err := b.post(ctx, p, r, roundMessage(r, q, 0)); err != nil {
		return Reply{}, quiz.Errorf(quiz.EInternal, "I could not post the question in this channel. Is the bot a member of it? Then try again.")
	}
	return Reply{Message: Message{
		Text:          fmt.Sprintf("Round %d started with a %s %s question.", r.ID, difficultyWord(q.Difficulty), q.Category),
		Deadline:      r.ClosesAt,
		DeadlineLabel: "It is revealed",
	}}, nil
}

// post posts a round's message and records its ref; a round that cannot be
// posted is marked failed so the channel is free again.
func (b *Bot) post(ctx context.Context, p Platform, r quiz.Round, m Message) error {
	ref, err := p.Post(ctx, r.Channel, m)
	if err != nil {
		b.log.Error("Post round failed", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "error", err)
		if ferr := b.store.FailRound(context.WithoutCancel(ctx), r.ID, err.Error()); ferr != nil {
			b.log.Error("Mark round failed", roundAttrs(r, "error", ferr)...)
		}
		return err
	}
	if err := b.store.SetMessageRef(context.WithoutCancel(ctx), r.ID, ref); err != nil {
		return err
	}
	b.log.Info("Round posted", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "question_id", r.QuestionID)
	b.poke()
	return nil
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
	b.scheduleRefresh(res.Round)
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
