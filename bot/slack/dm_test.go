package slack

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// dueReminder plays U1 into a redo question due in C1's next daily round
// and opens that round, which sends the reminders.
func dueReminder(t *testing.T, h *harness) (question string) {
	t.Helper()
	_, qid := revealedRound(t, h) // U1 answered A, wrong: a redo item due in 3 days
	h.clock.Add(72 * time.Hour)
	sch, err := h.store.SetSchedule(t.Context(), quiz.ScheduleInput{Tenant: quiz.Tenant{Platform: Name, Team: "T1"}, Channel: "C1",
		Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: time.Hour, CreatedBy: "U0"})
	if err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now()
	if err := h.bot.Rounds().OpenDaily(t.Context(), sch, now.Format("2006-01-02"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return qid
}

// A redo reminder is a DM: conversations.open with the person, then
// chat.postMessage in that DM. Its button works from the DM (the click's
// channel is the DM, not the round's), and the redo card it brings has a
// report button whose modal works there too.
func TestAdapter_RedoReminderByDM(t *testing.T) {
	h := newHarness(t)
	qid := dueReminder(t, h)
	opens := h.fake.DMOpens()
	if len(opens) != 1 || opens[0].Get("users") != "U1" {
		t.Fatalf("conversations.open calls %v, want one with users=U1", opens)
	}
	var dm url.Values
	for _, p := range h.fake.Posts() {
		if p.Get("channel") == "DU1" {
			dm = p
		}
	}
	if dm == nil {
		t.Fatalf("no chat.postMessage in the DM; posts %v", h.fake.Posts())
	}
	wantContains(t, "reminder", dm.Get("text")+dm.Get("blocks"), "1 redo question due", "remind off")
	start := buttons(t, dm.Get("blocks"))["Start my redo"]
	if start != "x:start" {
		t.Fatalf("reminder buttons %v, want Start my redo", buttons(t, dm.Get("blocks")))
	}

	h.serve("/slack/interactions", h.clickIn("DU1", "U1", start, "1700000000.000009", "13345224609.738474920.dm1", false), nil)
	card := h.reply()
	wantContains(t, "redo card from the DM", replyText(card), "Redo · 1 due")
	btn := buttons(t, mustJSON(card["blocks"]))
	if btn["Report a problem"] != "p:q:"+qid {
		t.Fatalf("redo card buttons %v, want a report button", btn)
	}
	h.serve("/slack/interactions", h.clickIn("DU1", "U1", btn["Report a problem"], "1700000000.000010", "13345224609.738474920.dm2", true), nil)
	opened := h.waitView(1)
	if meta := opened["view"].(map[string]any)["private_metadata"].(string); !strings.Contains(meta, `"c":"DU1"`) {
		t.Fatalf("modal metadata %q, want the DM as its channel", meta)
	}
	_, ack := h.submit(submissionPayload("U1", "13345224609.738474920.dm3", opened, str("from the DM")), nil)
	wantContains(t, "thanks", mustJSON(ack["view"]), "Thanks: your report is in")
	if n := h.db.Count(t, &quiz.Report{}, "user_id = ? AND reason = ?", "U1", "from the DM"); n != 1 {
		t.Fatalf("%d reports from the DM, want 1", n)
	}
}

// DirectMessage opens each person's DM once; refusals (a bot, a closed or
// missing DM) are bot.ErrRejected, and nothing is posted.
func TestAdapter_DirectMessage(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	m := bot.Message{Text: "hello", Buttons: []bot.Button{{Label: "Start my redo", Action: "x:start"}}}
	for i := 0; i < 2; i++ {
		if err := h.a.DirectMessage(ctx, "T1", "U1", m); err != nil {
			t.Fatalf("DirectMessage %d: %v", i, err)
		}
	}
	if n := len(h.fake.DMOpens()); n != 1 {
		t.Fatalf("conversations.open calls %d, want 1 (the DM is remembered)", n)
	}
	if posts := h.fake.Posts(); len(posts) != 2 || posts[1].Get("channel") != "DU1" || buttons(t, posts[1].Get("blocks"))["Start my redo"] != "x:start" {
		t.Fatalf("posts %v, want two in DU1 with the button", posts)
	}

	h.fake.set(func(f *fakeSlack) {
		f.dmError["UBOTUSER"] = "cannot_dm_bot"
		f.dmPostErr["DU2"] = "is_archived"
	})
	for user, cause := range map[string]string{"UBOTUSER": "cannot_dm_bot", "U2": "is_archived"} {
		err := h.a.DirectMessage(ctx, "T1", user, m)
		if !errors.Is(err, bot.ErrRejected) || !strings.Contains(err.Error(), cause) {
			t.Fatalf("DirectMessage to %s: %v, want bot.ErrRejected with %s", user, err, cause)
		}
	}
	if posts := h.fake.Posts(); len(posts) != 2 {
		t.Fatalf("%d posts, want the refused DMs not posted", len(posts))
	}
	// A 429 on the post is waited out, not refused.
	h.fake.set(func(f *fakeSlack) { f.rateLimit = 1 })
	if err := h.a.DirectMessage(ctx, "T1", "U1", m); err != nil {
		t.Fatalf("DirectMessage after a 429: %v", err)
	}
}
