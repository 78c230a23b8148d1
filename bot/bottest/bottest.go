// Package bottest drives the bot through a recording Platform on a real quiz
// store (SQLite in a temp dir) with a settable clock.
package bottest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// Sent is a message the bot posted or edited.
type Sent struct {
	Channel string
	Ref     string
	Message bot.Message
}

// Recorder is a bot.Platform that records what it is asked to do. Set Fail
// to make the next calls fail.
type Recorder struct {
	mu    sync.Mutex
	posts []Sent
	edits []Sent
	dms   []Sent // Channel holds the user
	Fail  error
	// Notify, when set, receives every successful post and edit.
	Notify chan Sent
	// Before, when set, runs at the start of every Post ("post") and Edit
	// ("edit") outside the lock; a test blocks in it to hold a call in flight.
	Before func(call string, m bot.Message)
}

func (r *Recorder) notify(s Sent) {
	if r.Notify != nil {
		r.Notify <- s
	}
}

var (
	_ bot.Platform        = (*Recorder)(nil)
	_ bot.DirectMessenger = (*Recorder)(nil)
)

// Post implements bot.Platform.
func (r *Recorder) Post(_ context.Context, channel string, m bot.Message) (string, error) {
	if r.Before != nil {
		r.Before("post", m)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return "", r.Fail
	}
	ref := "m" + strconv.Itoa(len(r.posts)+1)
	r.posts = append(r.posts, Sent{channel, ref, m})
	r.notify(Sent{channel, ref, m})
	return ref, nil
}

// Edit implements bot.Platform.
func (r *Recorder) Edit(_ context.Context, channel, ref string, m bot.Message) error {
	if r.Before != nil {
		r.Before("edit", m)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return r.Fail
	}
	r.edits = append(r.edits, Sent{channel, ref, m})
	r.notify(Sent{channel, ref, m})
	return nil
}

// DirectMessage implements bot.DirectMessenger (redo reminders).
func (r *Recorder) DirectMessage(_ context.Context, team, user string, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return r.Fail
	}
	r.dms = append(r.dms, Sent{Channel: user, Ref: team, Message: m})
	return nil
}

// DMs returns the direct messages so far; Channel holds the user and Ref
// the team.
func (r *Recorder) DMs() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.dms...)
}

// Posts returns the posted messages so far.
func (r *Recorder) Posts() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.posts...)
}

// Edits returns the edits so far.
func (r *Recorder) Edits() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.edits...)
}

// Harness wires a Bot to a Recorder on a fresh SQLite store.
type Harness struct {
	t        testing.TB
	DB       *quiztest.DB // for assertions about rows
	Store    *quiz.Store
	Clock    *quiztest.Clock
	Bot      *bot.Bot
	Platform *Recorder
	// Event is who acts in Do and Click unless As changes the user.
	Event bot.Event
}

// New returns a harness on the quiztest bank (shown in file order).
func New(t testing.TB) *Harness {
	t.Helper()
	return NewWithBank(t, quiztest.Bank())
}

// NewWithBank returns a harness on bank, e.g. quiztest.ShuffledBank().
func NewWithBank(t testing.TB, bank *questions.Bank) *Harness {
	t.Helper()
	clk := quiztest.NewClock(quiztest.Start)
	db := quiztest.MustOpenSQLite(t)
	store := quiztest.OpenStore(t, db, bank, quiztest.Exact(clk)...)
	b := bot.New(store, nil)
	rec := &Recorder{}
	b.Register("slack", rec)
	return &Harness{
		t: t, DB: db, Store: store, Clock: clk, Bot: b, Platform: rec,
		Event: bot.Event{Platform: "slack", Team: "T1", Channel: "C1", User: "U1", UserName: "ada", CanManage: bot.Known(true)},
	}
}

// Do runs a command as h.Event, e.g. h.Do("start 5s").
func (h *Harness) Do(text string) bot.Reply {
	return h.Bot.CommandText(context.Background(), h.Event, text)
}

// As returns the event of another user in the same channel.
func (h *Harness) As(user string) bot.Event {
	ev := h.Event
	ev.User, ev.UserName = user, "name-"+user
	return ev
}

// Click presses the button labelled label on the newest posted message.
func (h *Harness) Click(ev bot.Event, label string) bot.Reply {
	h.t.Helper()
	posts := h.Platform.Posts()
	if len(posts) == 0 {
		h.t.Fatalf("Click %s: nothing posted", label)
	}
	return h.ClickOn(ev, posts[len(posts)-1].Message, label)
}

// ClickOn presses the button labelled label on m.
func (h *Harness) ClickOn(ev bot.Event, m bot.Message, label string) bot.Reply {
	h.t.Helper()
	for _, b := range m.Buttons {
		if b.Label == label {
			return h.Bot.Click(context.Background(), ev, b.Action)
		}
	}
	h.t.Fatalf("no button %q on %q", label, m.Title)
	return bot.Reply{}
}

// RunDue reveals every due round and returns how many were revealed.
func (h *Harness) RunDue() int {
	h.t.Helper()
	n, err := h.Bot.Rounds().RunDue(context.Background())
	if err != nil {
		h.t.Fatalf("RevealDue: %v", err)
	}
	return n
}

// Text flattens a message to text for assertions.
func Text(m bot.Message) string {
	var sb strings.Builder
	for _, s := range m.Lead {
		fmt.Fprintf(&sb, "%s\n%s\n", s.Heading, s.Text)
	}
	fmt.Fprintln(&sb, m.Title)
	fmt.Fprintln(&sb, m.Text)
	fmt.Fprintln(&sb, m.Code)
	for _, c := range m.Choices {
		fmt.Fprintf(&sb, "%s) %s %s\n", c.Letter, c.Text, c.Note)
	}
	for _, s := range m.Sections {
		fmt.Fprintf(&sb, "%s\n%s\n", s.Heading, s.Text)
	}
	fmt.Fprintln(&sb, m.DeadlineLabel)
	fmt.Fprintln(&sb, m.Footer)
	return sb.String()
}
