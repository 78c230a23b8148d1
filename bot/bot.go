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
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Event says who acted where.
type Event struct {
	Platform string
	Team     string
	Channel  string
	User     string
	UserName string
	// CanManage reports whether the person may change the channel's daily
	// schedule. It is asked only for a subcommand that needs it, so an
	// adapter that must call the platform to know does so only then.
	CanManage func(context.Context) bool
	IsBot     bool
	// Message is the platform's id of the message a click came from, when
	// the platform says (Discord's message id, Slack's message ts): a round
	// counts clicks only on its own message.
	Message string
	// Received is when the request reached the server (zero: when the bot
	// sees it); a click received before a deadline counts.
	Received time.Time
	// Delivery is the platform's id of this request (Slack's trigger_id,
	// Discord's interaction id), when it has one: a redelivery with the
	// same id runs nothing twice.
	Delivery string
}

// RoundKey is the Message.Key of a round's message.
func RoundKey(roundID uint64) string { return fmt.Sprintf("asyncquiz-round-%d", roundID) }

// Known is a CanManage for a platform that knows the answer up front.
func Known(v bool) func(context.Context) bool { return func(context.Context) bool { return v } }

func (e Event) tenant() quiz.Tenant { return quiz.Tenant{Platform: e.Platform, Team: e.Team} }

func (e Event) canManage(ctx context.Context) bool { return e.CanManage != nil && e.CanManage(ctx) }

// Bot keeps the conversation: it parses commands, turns commands and
// clicks into quiz calls, and renders the replies. A round's delivery
// (posting, refreshing, revealing) belongs to Rounds.
type Bot struct {
	store      *quiz.Store
	log        *slog.Logger
	platforms  *registry
	rounds     *Rounds
	transports *Transports
}

// New returns a Bot over store. A nil logger discards logs.
func New(store *quiz.Store, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := &registry{platforms: map[string]Platform{}}
	return &Bot{
		store: store, log: log.With("component", "bot"), platforms: reg,
		rounds:     newRounds(store, reg, log.With("component", "rounds")),
		transports: newTransports(log.With("component", "transport")),
	}
}

// Transports returns the tracker adapters report their connections to.
func (b *Bot) Transports() *Transports { return b.transports }

// Store returns the quiz store.
func (b *Bot) Store() *quiz.Store { return b.store }

// Rounds returns the component that delivers rounds, for the loops.
func (b *Bot) Rounds() *Rounds { return b.rounds }

// Register makes p the platform for rounds of the named platform.
func (b *Bot) Register(name string, p Platform) {
	var ip Platform = instrumented{name, p}
	if pp, ok := p.(Paced); ok {
		ip = pacedInstrumented{instrumented{name, p}, pp.Pace()}
	}
	b.platforms.set(name, ip, p)
}

// pacedInstrumented keeps a platform's Pace visible through the wrapper.
type pacedInstrumented struct {
	instrumented
	pace Pace
}

func (p pacedInstrumented) Pace() Pace { return p.pace }

// registry holds the platforms by name, with their pacers.
type registry struct {
	mu        sync.RWMutex
	platforms map[string]Platform
	adapters  map[string]Platform // as registered, for optional interfaces
	pacers    map[string]*pacer
}

func (r *registry) set(name string, p, adapter Platform) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.platforms[name] = p
	if r.adapters == nil {
		r.adapters = map[string]Platform{}
	}
	r.adapters[name] = adapter
	if r.pacers == nil {
		r.pacers = map[string]*pacer{}
	}
	if pp, ok := p.(Paced); ok {
		r.pacers[name] = newPacer(pp.Pace())
	} else {
		delete(r.pacers, name)
	}
}

// pacer is the platform's pacer, or nil for one without published limits.
func (r *registry) pacer(name string) *pacer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pacers[name]
}

// adapter is the platform as registered, to ask for optional interfaces
// (DirectMessenger).
func (r *registry) adapter(name string) Platform {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.adapters[name]
}

func (r *registry) get(name string) Platform {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.platforms[name]
}

// Command runs a parsed command for ev and returns the private reply.
func (b *Bot) Command(ctx context.Context, ev Event, c Command) Reply {
	if dup, r := b.redelivered(ctx, ev); dup {
		return r
	}
	sub, ok := lookup(c.Name)
	if !ok {
		return HelpFor("")
	}
	if sub.NeedsManager && (sub.reads == nil || !sub.reads(c)) && !b.isManager(ctx, ev) {
		return textReply(b.managersOnly(ev))
	}
	r, err := sub.run(b, ctx, ev, c)
	if err != nil {
		return b.errorReply(ev, sub, err)
	}
	return r
}

// redelivered reports whether ev repeats a request already handled; the
// reply then says so to the adapter, which sends nothing. When the check
// itself fails the request goes ahead: answers are idempotent anyway, and
// refusing would lose a first delivery.
func (b *Bot) redelivered(ctx context.Context, ev Event) (bool, Reply) {
	if ev.Delivery == "" {
		return false, Reply{}
	}
	first, err := b.store.FirstDelivery(ctx, ev.Platform, ev.Delivery)
	if err != nil {
		b.log.Warn("Delivery check failed; handling the request", "platform", ev.Platform, "error", err)
		return false, Reply{}
	}
	if first {
		return false, Reply{}
	}
	b.log.Info("Redelivered request ignored", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel)
	return true, Reply{Duplicate: true}
}

// CommandText parses text (the words after /asyncquiz) and runs it.
func (b *Bot) CommandText(ctx context.Context, ev Event, text string) Reply {
	c, err := ParseText(text)
	if err != nil {
		return b.errorReply(ev, nil, err)
	}
	return b.Command(ctx, ev, c)
}

// errorReply turns an error into the person's private reply: a coded
// error's message, with the right form of the command for bad input or
// the subcommand's hint when it found nothing; anything else is logged
// and apologised for.
func (b *Bot) errorReply(ev Event, sub *Subcommand, err error) Reply {
	switch code := quiz.ErrorCode(err); {
	case code == quiz.EInternal:
		b.log.Error("Request failed", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel, "error", err)
	case code == quiz.EInvalid && sub != nil:
		err = usageError(sub, err)
	case code == quiz.ENotFound && sub != nil && sub.NotFound != "":
		return textReply(quiz.ErrorMessage(err) + " " + sub.NotFound)
	}
	return textReply(quiz.ErrorMessage(err))
}

// Help lists the subcommands with their right forms.
func Help() Reply { return HelpFor("") }

// HelpFor explains one subcommand, or lists them all when topic is "".
func HelpFor(topic string) Reply {
	if sub, ok := lookup(topic); ok && topic != "" {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s.\nUsage: %s\nExample: %s", sub.Help, sub.Usage(), sub.Example)
		for _, o := range sub.Options {
			fmt.Fprintf(&sb, "\n• %s: %s", o.Name, o.Help)
		}
		return Reply{Message: Message{Title: "/asyncquiz " + sub.Name, Text: sb.String()}}
	}
	var sb strings.Builder
	sb.WriteString("asyncquiz: a daily Python asyncio quiz. Answers are proven by running CPython.\n")
	for _, s := range grammar() {
		fmt.Fprintf(&sb, "\n• %s   e.g. %s", s.Usage(), s.Example)
	}
	sb.WriteString("\n\nCategories: " + strings.Join(categories(), ", ") + ". Difficulty: easy, medium, hard. " +
		"Rounds last 10m unless you say otherwise (5s to 7d). More on one command: /asyncquiz help start.")
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
		Text:          fmt.Sprintf("Round %d started with a %s %s question.", r.ID, questions.DifficultyName(q.Difficulty), q.Category),
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
	// A round click's redelivery is recognised in the answer's own batch
	// (the hot path); other clicks are rare enough to check here.
	if !strings.HasPrefix(action, "r:") {
		if dup, r := b.redelivered(ctx, ev); dup {
			return r
		}
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
	case action == "x:start": // a redo reminder's button
		r, err = b.redo(ctx, ev, Command{})
	case len(parts) >= 2 && parts[0] == "p": // report a problem: ask why
		if _, err = b.reportedQuestion(ctx, ev, strings.TrimPrefix(action, "p:")); err == nil {
			r = reportForm(strings.TrimPrefix(action, "p:"))
		}
	default:
		err = quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
	}
	if err != nil {
		return b.errorReply(ev, nil, err)
	}
	return r
}

func (b *Bot) answerRound(ctx context.Context, ev Event, id, letter string) (Reply, error) {
	roundID, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return Reply{}, quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
	}
	res, err := b.store.Answer(ctx, quiz.AnswerInput{
		Tenant: ev.tenant(), Channel: ev.Channel, MessageRef: ev.Message, RoundID: roundID,
		UserID: ev.User, UserName: ev.UserName, Option: letter, ReceivedAt: ev.Received, Delivery: ev.Delivery,
	})
	if err != nil {
		return Reply{}, err
	}
	if res.Duplicate {
		b.log.Info("Redelivered click ignored", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel)
		return Reply{Duplicate: true}, nil
	}
	if !res.Recorded {
		return textReply(fmt.Sprintf("You already answered %s. Your first answer counts.", res.Shown)), nil
	}
	metrics.AnswersRecorded.WithLabelValues(ev.Platform, "round").Inc()
	b.rounds.MarkDirty(res.Round)
	text := fmt.Sprintf("Locked in %s.", res.Shown)
	if res.Practice {
		text += " You answered this question before, so this one is practice: it scores no points."
	}
	return Reply{Message: Message{
		Text:          text,
		Deadline:      res.Round.ClosesAt,
		DeadlineLabel: "The answer is revealed",
	}}, nil
}

// now is the store's clock, shared so the bot and store agree on time.
func (b *Bot) now() time.Time { return b.store.Now() }

// ErrorMessage is the text to show the person for err: a coded error's own
// message, or a generic apology (adapters report errors through it, so they
// need not know quiz's codes).
func ErrorMessage(err error) string { return quiz.ErrorMessage(err) }
