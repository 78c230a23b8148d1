package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// wait receives from c or fails the test after a deadline.
func wait[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// blockFirst makes the first call of kind block until release is closed,
// and reports on entered when it is in flight.
func blockFirst(rec *bottest.Recorder, kind string) (entered chan struct{}, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	first := true
	rec.Before = func(call string, _ bot.Message) {
		if call == kind && first {
			first = false
			close(entered)
			<-release
		}
	}
	return entered, release
}

// Bug: a start whose post outlasted its round was revealed as a second
// message, and the question then landed with live buttons nobody edited.
// The round is posting until its message is recorded, so the reveal waits
// and edits the one message.
func TestRounds_SlowPostIsRevealedInPlace(t *testing.T) {
	h := bottest.New(t)
	entered, release := blockFirst(h.Platform, "post")
	replied := make(chan bot.Reply, 1)
	go func() { replied <- h.Do("start 5s") }()
	wait(t, entered, "the post")
	h.Clock.Add(30 * time.Second) // the post outlasts the round
	if n := h.RunDue(); n != 0 {
		t.Fatalf("revealed %d rounds while the question was being posted", n)
	}
	close(release)
	wantText(t, wait(t, replied, "the start reply"), "Round 1 started")
	if n := h.RunDue(); n != 1 {
		t.Fatalf("revealed %d rounds after the post, want 1", n)
	}
	posts, edits := h.Platform.Posts(), h.Platform.Edits()
	if len(posts) != 1 || len(edits) != 1 || edits[0].Ref != posts[0].Ref || len(edits[0].Message.Buttons) != 0 {
		t.Fatalf("posts=%d edits=%+v; want one question, revealed in place", len(posts), edits)
	}
}

// Bug: a count refresh in flight when the round closed could land after the
// reveal and leave the question with live buttons. The refresh holds the
// round's claim; the reveal waits for it and is the last edit.
func TestRounds_RefreshNeverLandsAfterReveal(t *testing.T) {
	h := bottest.New(t)
	h.Do("start 10s")
	h.Click(h.As("U1"), "B")
	h.Clock.Add(bot.RefreshEvery)
	entered, release := blockFirst(h.Platform, "edit")
	refreshed := make(chan int, 1)
	go func() {
		n, _ := h.Bot.Rounds().RunDue(context.Background())
		refreshed <- n
	}()
	wait(t, entered, "the refresh edit")
	h.Clock.Add(10 * time.Second) // the deadline passes with the refresh in flight
	if n := h.RunDue(); n != 0 {
		t.Fatalf("revealed %d rounds while a refresh held the message", n)
	}
	close(release)
	// The refresh's own pass may reveal the round once the claim is back.
	if n := wait(t, refreshed, "the refresh pass") + h.RunDue(); n != 1 {
		t.Fatalf("revealed %d rounds after the refresh, want 1", n)
	}
	edits := h.Platform.Edits()
	if len(edits) != 2 || len(edits[0].Message.Buttons) == 0 || len(edits[1].Message.Buttons) != 0 {
		t.Fatalf("edits=%+v; want the refresh, then the reveal last", edits)
	}
}

// The same across two replicas on one database: the refresh claim is in the
// database, not in process memory.
func TestRounds_RefreshClaimHoldsAcrossReplicas(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		clk := quiztest.NewClock(quiztest.Start)
		a, b := replica(t, db, clk), replica(t, db, clk)
		ctx := context.Background()
		ev := bot.Event{Platform: "slack", Team: "T1", Channel: "C1", User: "U1", UserName: "ada"}
		a.bot.CommandText(ctx, ev, "start 10s")
		ref := a.rec.Posts()[0].Ref
		a.bot.Click(ctx, ev, a.rec.Posts()[0].Message.Buttons[1].Action)
		clk.Add(bot.RefreshEvery)
		entered, release := blockFirst(a.rec, "edit")
		done := make(chan int, 1)
		go func() { n, _ := a.bot.Rounds().RefreshDue(ctx); done <- n }()
		wait(t, entered, "replica A's refresh edit")
		clk.Add(10 * time.Second)
		if n, err := b.bot.Rounds().RevealDue(ctx); err != nil || n != 0 {
			t.Fatalf("replica B revealed %d (%v) while A's refresh held the message", n, err)
		}
		close(release)
		if n := wait(t, done, "replica A's refresh"); n != 1 {
			t.Fatalf("replica A refreshed %d rounds, want 1", n)
		}
		if n, err := b.bot.Rounds().RevealDue(ctx); err != nil || n != 1 {
			t.Fatalf("replica B revealed %d (%v) after the refresh, want 1", n, err)
		}
		if edits := b.rec.Edits(); len(edits) != 1 || edits[0].Ref != ref || len(edits[0].Message.Buttons) != 0 {
			t.Fatalf("B's edits=%+v, want the reveal of %s", edits, ref)
		}
	})
}

type node struct {
	bot *bot.Bot
	rec *bottest.Recorder
}

func replica(t *testing.T, db *quiztest.DB, clk *quiztest.Clock) node {
	b := bot.New(quiztest.OpenStore(t, db, quiztest.Bank(), quiztest.Exact(clk)...), nil)
	rec := &bottest.Recorder{}
	b.Register("slack", rec)
	return node{b, rec}
}

// Removing a question from the bank breaks nothing that used it: its open
// round is revealed (without it), redo items for it are dropped, and the
// points it gave stay on the leaderboard.
func TestRounds_QuestionRetiredFromTheBank(t *testing.T) {
	h := bottest.New(t)
	h.Do("start 10s core easy")
	questionOf := func(m bot.Message) string {
		for _, q := range h.Store.Bank().Questions {
			if m.Text == q.Prompt {
				return q.ID
			}
		}
		t.Fatalf("cannot tell the round's question from %q", m.Text)
		return ""
	}
	qid := questionOf(h.Platform.Posts()[0].Message)
	h.Click(h.As("U1"), "A") // wrong: into U1's redo queue
	h.Click(h.As("U2"), "B") // right
	// The first round is revealed with the full bank, so U2 has a point.
	h.Clock.Add(10 * time.Second)
	h.RunDue()
	h.Do("start 10s core easy")
	second := h.Platform.Posts()[1]
	open := questionOf(second.Message)

	// The next version of the bank has neither question.
	var kept []*questions.Question
	for _, q := range quiztest.Bank().Questions {
		if q.ID != qid && q.ID != open {
			kept = append(kept, q)
		}
	}
	store := quiztest.OpenStore(t, h.DB, questions.NewBank(kept), quiztest.Exact(h.Clock)...)
	b := bot.New(store, nil)
	rec := &bottest.Recorder{}
	b.Register("slack", rec)
	h.Clock.Add(10 * time.Second)
	if n, err := b.Rounds().RunDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("revealed %d (%v), want the open round revealed", n, err)
	}
	if e := rec.Edits(); len(e) != 1 || e[0].Ref != second.Ref || len(e[0].Message.Buttons) != 0 {
		t.Fatalf("edits=%+v; want the second round's message revealed without buttons", e)
	}
	h.Clock.Add(quiz.RedoIntervals[0])
	ev := h.As("U1")
	if r := b.CommandText(context.Background(), ev, "redo"); !strings.Contains(bottest.Text(r.Message), "empty") {
		t.Fatalf("redo with the question retired: %s", bottest.Text(r.Message))
	}
	if n := h.DB.Count(t, &quiz.RedoItem{}, "question_id = ?", qid); n != 0 {
		t.Fatalf("%d redo items left for the retired question", n)
	}
	lb := b.CommandText(context.Background(), h.As("U2"), "leaderboard all")
	if !strings.Contains(bottest.Text(lb.Message), "name-U2") {
		t.Fatalf("the retired question's point left the leaderboard: %s", bottest.Text(lb.Message))
	}
}

// One reveal edit that hangs holds back only its own channel: the other
// rounds due at the same time are revealed meanwhile.
func TestRounds_HangingEditDelaysOnlyItsChannel(t *testing.T) {
	h := bottest.New(t)
	const n = 120
	for i := 0; i < n; i++ {
		ev := h.Event
		ev.Channel = fmt.Sprintf("C%03d", i)
		h.Bot.CommandText(context.Background(), ev, "start 5s")
	}
	release := make(chan struct{})
	h.Platform.Before = func(call string, m bot.Message) {
		if call == "edit" && strings.Contains(m.Footer, "Round 1 ") {
			<-release
		}
	}
	h.Platform.Notify = make(chan bottest.Sent, n)
	h.Clock.Add(5 * time.Second)
	done := make(chan int, 1)
	go func() { k, _ := h.Bot.Rounds().RunDue(context.Background()); done <- k }()
	for i := 0; i < n-1; i++ {
		wait(t, h.Platform.Notify, fmt.Sprintf("reveal %d of the %d other rounds while one edit hangs", i+1, n-1))
	}
	close(release)
	if k := wait(t, done, "the reveal pass"); k != n {
		t.Fatalf("revealed %d, want %d", k, n)
	}
}

// Every reveal and card carries "Report a problem"; a report asks for a
// reason, is stored once per person and question, and three people's
// reports keep the question out of rounds until resolved.
func TestBot_ReportAProblem(t *testing.T) {
	h := bottest.New(t)
	h.Do("start 5s core easy")
	h.Clock.Add(5 * time.Second)
	h.RunDue()
	rev := h.Platform.Edits()[0].Message
	if rev.Report == nil || len(rev.Buttons) != 0 {
		t.Fatalf("reveal: report=%+v buttons=%d; want the report button and no answer buttons", rev.Report, len(rev.Buttons))
	}
	card := h.Do("drill 1").Message
	if card.Report == nil || strings.Contains(card.Report.Action, "core-") {
		t.Fatalf("drill card report button %+v: want one that does not name the question", card.Report)
	}
	form := h.Bot.Click(context.Background(), h.As("U1"), rev.Report.Action).Form
	if form == nil || form.Max == 0 {
		t.Fatalf("the report click asked for nothing: %+v", form)
	}
	for i, u := range []string{"U1", "U1", "U2", "U3"} {
		r := h.Bot.Submit(context.Background(), h.As(u), form.Action, fmt.Sprintf("reason %d", i))
		if !strings.Contains(bottest.Text(r.Message), "Thanks") {
			t.Fatalf("submit %d: %s", i, bottest.Text(r.Message))
		}
	}
	if n := h.DB.Count(t, &quiz.Report{}); n != 3 {
		t.Fatalf("%d reports stored, want 3 (one per person)", n)
	}
	reps, err := h.Store.Reports(context.Background())
	if err != nil || len(reps) != 1 || reps[0].Open != 3 || !reps[0].Held {
		t.Fatalf("reports %+v, %v; want one question held with 3", reps, err)
	}
	held := reps[0].QuestionID
	for i := 0; i < 6; i++ {
		ev := h.Event
		ev.Channel = fmt.Sprintf("H%d", i)
		h.Bot.CommandText(context.Background(), ev, "start 5s core easy")
	}
	q, _ := h.Store.Question(held)
	posts := h.Platform.Posts()
	if len(posts) != 7 {
		t.Fatalf("%d rounds posted, want 7", len(posts))
	}
	for _, p := range posts[1:] { // core easy has two questions; six rounds would repeat each
		if p.Message.Text == q.Prompt {
			t.Fatalf("the held question %s was asked again", held)
		}
	}
	if n, err := h.Store.ResolveReports(context.Background(), held); err != nil || n != 3 {
		t.Fatalf("resolve: %d, %v", n, err)
	}
	if reps, _ := h.Store.Reports(context.Background()); len(reps) != 0 {
		t.Fatalf("open reports after resolving: %+v", reps)
	}
}
