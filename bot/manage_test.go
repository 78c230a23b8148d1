package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// stop reveals the round at once, with its answers scored as usual.
func TestBot_StopRevealsNow(t *testing.T) {
	h := bottest.New(t)
	wantText(t, h.Do("start 7d"), "Round 1 started")
	wantText(t, h.Click(h.As("U2"), "B"), "Locked in B")
	if n := h.RunDue(); n != 0 {
		t.Fatalf("revealed %d rounds before stop", n)
	}
	wantText(t, h.Do("stop"), "Round 1 is closed")
	wantText(t, h.Do("stop"), "Round 1 is already closed")
	h.Clock.Add(quiz.AnswerGrace) // the grace still applies to clicks on their way
	if n := h.RunDue(); n != 1 {
		t.Fatalf("revealed %d rounds after stop, want 1", n)
	}
	edits := h.Platform.Edits()
	text := bottest.Text(edits[len(edits)-1].Message)
	for _, want := range []string{"Answer: B", "1 of 1 got it right", "1 (100%)"} {
		if !strings.Contains(text, want) {
			t.Fatalf("reveal after stop %q lacks %q", text, want)
		}
	}
	wantText(t, h.Do("leaderboard"), "1. name-U2")
}

// cancel closes the round without showing the answer or scoring anything;
// the question can then score for the same people when asked again.
func TestBot_CancelScoresNothing(t *testing.T) {
	h := bottest.New(t)
	wantText(t, h.Do("start 1h"), "Round 1 started")
	wantText(t, h.Click(h.As("U2"), "B"), "Locked in B")
	wantText(t, h.Do("cancel"), "Round 1 is cancelled")
	h.Clock.Add(quiz.AnswerGrace)
	if n := h.RunDue(); n != 1 {
		t.Fatalf("revealed %d rounds after cancel, want 1", n)
	}
	edits := h.Platform.Edits()
	rev := edits[len(edits)-1].Message
	text := bottest.Text(rev)
	if !strings.Contains(text, "ada cancelled this round") || !strings.Contains(text, "1 person answered") {
		t.Fatalf("cancelled reveal %q", text)
	}
	if strings.Contains(text, "Answer:") || len(rev.Buttons) != 0 || rev.Code != "" {
		t.Fatalf("cancelled reveal shows the answer, code or buttons: %+v", rev)
	}
	wantText(t, h.Do("leaderboard"), "No points")
	if n := h.DB.Count(t, &quiz.Score{}); n != 0 {
		t.Fatalf("%d score rows after a cancelled round, want 0", n)
	}
	if n := h.DB.Count(t, &quiz.FirstAnswer{}); n != 0 {
		t.Fatalf("%d first answers kept after a cancelled round, want 0", n)
	}
	var st []quiz.Round
	h.DB.Find(&st)
	if len(st) != 1 || st[0].State != quiz.StateRevealed || st[0].CancelledBy != "ada" {
		t.Fatalf("round rows %+v", st)
	}
}

// Only the round's starter or a manager may stop or cancel it, and the
// refusal says who may.
func TestBot_StopNeedsStarterOrManager(t *testing.T) {
	h := bottest.New(t)
	wantText(t, h.Do("start 1h"), "Round 1 started")
	other := h.As("U9")
	other.CanManage = bot.Known(false)
	for _, cmd := range []string{"stop", "cancel"} {
		wantText(t, h.Bot.CommandText(t.Context(), other, cmd), "Only the person who started round 1, people who can manage this channel")
	}
	h.Clock.Add(2 * time.Hour)
	if n := h.RunDue(); n != 1 {
		t.Fatalf("revealed %d", n)
	}
	text := bottest.Text(h.Platform.Edits()[0].Message)
	if strings.Contains(text, "cancelled") {
		t.Fatalf("a refused cancel cancelled the round: %s", text)
	}

	// A manager who did not start it may; so may its starter without rights.
	starter := h.As("U5")
	starter.CanManage = bot.Known(false)
	wantText(t, h.Bot.CommandText(t.Context(), starter, "start 1h"), "Round 2 started")
	wantText(t, h.Bot.CommandText(t.Context(), starter, "stop"), "Round 2 is closed")
	wantText(t, h.Bot.CommandText(t.Context(), starter, "start 1h"), "already open") // until it is revealed
	h.Clock.Add(quiz.AnswerGrace)
	h.RunDue()
	wantText(t, h.Bot.CommandText(t.Context(), starter, "start 1h"), "Round 3 started")
	wantText(t, h.Do("cancel"), "Round 3 is cancelled")
}

// People a manager adds may change schedules; the list shows them; a
// removed one may not any more.
func TestBot_Admins(t *testing.T) {
	h := bottest.New(t)
	bob := h.As("U7")
	bob.CanManage = bot.Known(false)
	do := func(ev bot.Event, text string) bot.Reply { return h.Bot.CommandText(t.Context(), ev, text) }

	wantText(t, do(bob, "admins"), "nobody has been added")
	wantText(t, do(bob, "admins add <@U7|bob>"), "Only people who can manage")
	wantText(t, do(bob, "daily 09:00"), "Only people who can manage")
	wantText(t, h.Do("admins add @bob"), "is not a mention")
	wantText(t, h.Do("admins add"), "Name the person to add")
	wantText(t, h.Do("admins <@U7>"), "Say add or remove")
	if n := h.DB.Count(t, &quiz.Admin{}); n != 0 {
		t.Fatalf("bad admins commands wrote %d rows", n)
	}

	wantText(t, h.Do("admins add <@U7|bob>"), "bob may now change")
	wantText(t, h.Do("admins add <@U7|bob>"), "bob may already")
	wantText(t, do(bob, "admins"), "bob (U7)")
	wantText(t, do(bob, "daily 09:00"), "Daily quiz set")
	wantText(t, do(bob, "start 1h"), "Round 1 started")
	h.Event.User = "U1"
	wantText(t, h.Do("start 1h"), "already open")

	wantText(t, do(bob, "admins remove <@U7>"), "no longer manages")
	wantText(t, do(bob, "daily off"), "Only people who can manage")
	wantText(t, h.Do("admins remove <@U7>"), "nothing to remove")

	// Another team's list is its own.
	other := h.Event
	other.Team = "T2"
	h.Do("admins add <@U8|cy>")
	wantText(t, h.Bot.CommandText(t.Context(), other, "admins"), "nobody has been added")
}

// Reveal percentages add up to 100 (largest remainder), not 99.
func TestBot_RevealPercentagesAddUp(t *testing.T) {
	h := bottest.New(t)
	h.Do("start 1m")
	for i, l := range []string{"A", "B", "B", "B", "B", "B", "B", "B", "C", "C", "D"} {
		h.Click(h.As(string(rune('a'+i))), l)
	}
	h.Clock.Add(time.Minute + quiz.AnswerGrace)
	h.RunDue()
	text := bottest.Text(h.Platform.Edits()[0].Message)
	// 1/11, 7/11, 2/11, 1/11: floors 9+63+18+9 = 99; the point goes to B's 0.64.
	for _, want := range []string{"1 (9%)", "7 (64%)", "2 (18%)"} {
		if !strings.Contains(text, want) {
			t.Fatalf("reveal %q lacks %q", text, want)
		}
	}
}

// forget me deletes the person's data after a confirmation word; others'
// data stays.
func TestBot_ForgetMe(t *testing.T) {
	h := bottest.New(t)
	h.Do("start 1m")
	h.Click(h.As("U1"), "A")
	h.Click(h.As("U2"), "B")
	h.Clock.Add(time.Minute)
	h.RunDue()
	h.Bot.CommandText(t.Context(), h.As("U1"), "drill 2")
	h.Bot.CommandText(t.Context(), h.As("U1"), "remind off")
	count := func(user string) int64 {
		var n int64
		for _, m := range []any{&quiz.Answer{}, &quiz.Attempt{}, &quiz.RedoItem{}, &quiz.Drill{}, &quiz.Score{}, &quiz.FirstAnswer{}, &quiz.Reminder{}} {
			n += h.DB.Count(t, m, "user_id = ?", user)
		}
		return n
	}
	if count("U1") == 0 || count("U2") == 0 {
		t.Fatalf("nothing stored to forget: U1 %d, U2 %d", count("U1"), count("U2"))
	}
	wantText(t, h.Bot.CommandText(t.Context(), h.As("U1"), "forget"), "type /asyncquiz forget me")
	if count("U1") == 0 {
		t.Fatal("forget without me deleted data")
	}
	before := count("U2")
	wantText(t, h.Bot.CommandText(t.Context(), h.As("U1"), "forget me"), "has forgotten you")
	if n := count("U1"); n != 0 {
		t.Fatalf("%d rows of U1 left after forget me", n)
	}
	if n := h.DB.Count(t, &quiz.DrillItem{}); n != 0 {
		t.Fatalf("%d drill items of U1's drill left", n)
	}
	if count("U2") != before {
		t.Fatalf("forgetting U1 changed U2's rows: %d, was %d", count("U2"), before)
	}
	if n := h.DB.Count(t, &quiz.Round{}, "opened_by = ?", "U1"); n != 0 {
		t.Fatalf("rounds still name U1: %d", n)
	}
	wantText(t, h.Do("leaderboard all"), "name-U2")
}
