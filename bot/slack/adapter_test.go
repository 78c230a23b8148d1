package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

var _ bot.Platform = (*Adapter)(nil)

func wantContains(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Fatalf("%s lacks %q:\n%s", what, s, got)
		}
	}
}

// A whole round: start, five people click (one twice), the reveal edits the
// message, and the leaderboard shows the winners.
func TestAdapter_RoundEndToEnd(t *testing.T) {
	h := newHarness(t)
	wantContains(t, "start reply", replyText(h.command("U1", "start 5s core")), "Round 1 started")
	posts := h.fake.Posts()
	if len(posts) != 1 || posts[0].Get("channel") != "C1" || posts[0].Get("token") != "xoxb-test" {
		t.Fatalf("chat.postMessage calls=%v, want one in C1 with the bot token", posts)
	}
	wantContains(t, "round blocks", posts[0].Get("blocks"), `"type":"header"`, `"type":"actions"`, "\\u003c!date^")
	btn := buttons(t, posts[0].Get("blocks"))
	if len(btn) != 4 {
		t.Fatalf("buttons=%v, want A-D", btn)
	}
	// The quiztest bank's answer is always B.
	for user, letter := range map[string]string{"U1": "B", "U2": "B", "U3": "A", "U4": "C", "U5": "B"} {
		r := h.click(user, btn[letter], false)
		wantContains(t, user+" click reply", replyText(r), "Locked in "+letter)
		if r["replace_original"] != false || r["response_type"] != "ephemeral" {
			t.Fatalf("click reply %v must be ephemeral and never replace the round", r)
		}
	}
	wantContains(t, "double click", replyText(h.click("U1", btn["D"], false)), "You already answered B")

	h.clock.Add(5 * time.Second)
	wantContains(t, "late click", replyText(h.click("U6", btn["B"], false)), "This round is closed")
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	ups := h.fake.Updates()
	if len(ups) != 1 || ups[0].Get("ts") != "1700000000.000001" || ups[0].Get("channel") != "C1" {
		t.Fatalf("chat.update calls=%v, want one of the round message", ups)
	}
	reveal := ups[0].Get("blocks")
	// The answer buttons are gone; only "Report a problem" is left.
	if got := buttons(t, reveal); len(got) != 1 || !strings.HasPrefix(got["Report a problem"], "p:q:") {
		t.Fatalf("reveal buttons %v, want only the report button:\n%s", got, reveal)
	}
	wantContains(t, "reveal", reveal, "Answer: B", "because one", "3 of 5 got it right", "name-U1")

	lb := replyText(h.command("U9", "leaderboard"))
	wantContains(t, "leaderboard", lb, "1. name-U1", "2. name-U2", "3. name-U5")
}

func TestAdapter_DrillReplacesEphemeralCard(t *testing.T) {
	h := newHarness(t)
	r := h.command("U1", "drill 2")
	btn := buttons(t, mustJSON(r["blocks"]))
	if len(btn) == 0 {
		t.Fatalf("drill card has no buttons: %v", r)
	}
	r = h.click("U1", btn["A"], true)
	if r["replace_original"] != true {
		t.Fatalf("drill step does not replace its card: %v", r)
	}
	wantContains(t, "drill step", replyText(r), "A is wrong", "Drill 2/2")
}

func TestAdapter_DailyNeedsAdmin(t *testing.T) {
	h := newHarness(t)
	wantContains(t, "non-admin", replyText(h.command("U1", "daily 09:30 Europe/Berlin weekdays 4h")),
		"Only workspace admins and owners", "ASYNCQUIZ_ADMINS", "/asyncquiz admins add")
	wantContains(t, "non-admin add", replyText(h.command("U1", "admins add <@U1|ada>")), "Only workspace admins")
	h.fake.mu.Lock()
	h.fake.admins["U2"] = true
	h.fake.mu.Unlock()
	wantContains(t, "admin", replyText(h.command("U2", "daily 09:30 Europe/Berlin weekdays 4h")), "Daily quiz set", "Europe/Berlin")
	wantContains(t, "show", replyText(h.command("U1", "daily")), "Next question")

	// A workspace admin names U1 (Slack escapes the mention as <@U1|ada>),
	// who may then change the schedule, until removed.
	wantContains(t, "add", replyText(h.command("U2", "admins add <@U1|ada>")), "ada may now change")
	wantContains(t, "list", replyText(h.command("U3", "admins")), "ada (U1)")
	wantContains(t, "named admin", replyText(h.command("U1", "daily 10:00 Europe/Berlin weekdays 4h")), "Daily quiz set", "10:00")
	wantContains(t, "remove", replyText(h.command("U2", "admins remove <@U1|ada>")), "no longer manages")
	wantContains(t, "removed", replyText(h.command("U1", "daily off")), "Only workspace admins")
}

// Issue 12.1: the tenant is the installation. In a Slack Connect channel
// (or one shared across a Grid org) a member of another team clicks with
// their own team.id; the click counts in the round of the channel it came
// from and scores under the installation. Before, it was refused as "not
// known here".
func TestAdapter_SharedChannelClickScoresUnderInstallation(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "start 1m")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
	w := h.serve("/slack/interactions", h.clickBody("T-OTHER", "U7", btn["B"], false), nil)
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	wantContains(t, "external click", replyText(h.reply()), "Locked in B")
	if n, err := h.store.AnswerCount(context.Background(), 1); err != nil || n != 1 {
		t.Fatalf("answers=%d, %v; want the external member's one", n, err)
	}
	h.clock.Add(time.Minute)
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	wantContains(t, "leaderboard", replyText(h.command("U1", "leaderboard")), "name-U7")
}

// Tenant isolation holds: a click naming the round from another channel of
// the same installation never touches it.
func TestAdapter_ClickFromAnotherChannelIsRefused(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "start 1m")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
	body := strings.ReplaceAll(h.clickBody("T1", "U7", btn["B"], false), "C1", "C2")
	if w := h.serve("/slack/interactions", body, nil); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if got := replyText(h.reply()); strings.Contains(got, "Locked in") {
		t.Fatalf("click from C2 recorded in C1's round: %s", got)
	}
	if n, _ := h.store.AnswerCount(context.Background(), 1); n != 0 {
		t.Fatalf("answers=%d, want 0", n)
	}
}

func TestAdapter_RateLimitedPostIsRetried(t *testing.T) {
	h := newHarness(t)
	h.fake.rateLimit = 1
	ref, err := h.a.Post(context.Background(), "C1", bot.Message{Text: "hi"})
	if err != nil || ref == "" {
		t.Fatalf("Post after a 429: ref %q, err %v", ref, err)
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Fatalf("posts=%d, want 1 after the retry", n)
	}
}

func mustJSON(v any) string {
	return replyText(map[string]any{"blocks": v})[len("<nil> "):]
}

func countRounds(t *testing.T, db *quiztest.DB) int64 {
	return db.Count(t, &quiz.Round{})
}
