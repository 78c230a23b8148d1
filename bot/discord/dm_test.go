package discord

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Ids of a real server and person, for DMs (a DM's buttons name the server
// in base 36, so it must be a snowflake).
const (
	guildID = "900000000000000001"
	adaID   = "600000000000000001"
)

// dueReminder plays ada into a redo question due in C1 of guildID and
// opens C1's next daily round, which sends the reminders.
func dueReminder(t *testing.T, h *harness) (question string) {
	t.Helper()
	qid, _ := revealed(t, h, guildID, adaID)
	h.clock.Add(72 * time.Hour)
	sch, err := h.store.SetSchedule(t.Context(), quiz.ScheduleInput{Tenant: quiz.Tenant{Platform: Name, Team: guildID}, Channel: "C1",
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

// A redo reminder is a DM: POST /users/@me/channels, then a message there
// whose button names the server. Clicked in the DM (no guild_id), it
// starts the person's redo in that server; the redo card's buttons and
// its report work in the DM too; the same button pressed by someone else,
// or with the server changed, does nothing.
func TestReminder_ByDM(t *testing.T) {
	h := newHarness(t)
	qid := dueReminder(t, h)
	opens := h.fake.Calls("POST", "/users/@me/channels")
	if len(opens) != 1 || opens[0].Body["recipient_id"] != adaID {
		t.Fatalf("DM opens %+v, want one for ada", opens)
	}
	dms := h.fake.Calls("POST", "/channels/DM"+adaID+"/messages")
	if len(dms) != 1 {
		t.Fatalf("%d messages in ada's DM, want the reminder", len(dms))
	}
	wantContains(t, "reminder", dms[0].Raw, "1 redo question due", "remind off", `"allowed_mentions":{"parse":[]`)
	start := buttonIDs(t, dms[0].Body)["Start my redo"]
	if guild, action, ok := h.a.unwrap(adaID, start); !ok || guild != guildID || action != "x:start" {
		t.Fatalf("reminder button %q: %q %q %v, want x:start for %s", start, guild, action, ok, guildID)
	}
	dmMsg := h.fake.lastMessage("DM" + adaID)

	// Someone else pressing it, or a made-up server: refused, nothing started.
	for name, id := range map[string]string{
		"another person": "", "another server": strings.Replace(start, "g"+strconv.FormatUint(900000000000000001, 36), "g"+strconv.FormatUint(900000000000000002, 36), 1),
	} {
		user := adaID
		if id == "" {
			id, user = start, "600000000000000002"
		}
		resp := h.respond(h.clickAt("", "DM"+adaID, user, id, dmMsg, false))
		wantThanks(t, resp, "server channel")
		if strings.Contains(raw(resp), "Redo") {
			t.Fatalf("%s: %s", name, raw(resp))
		}
	}

	card := h.respond(h.clickAt("", "DM"+adaID, adaID, start, dmMsg, false))
	wantThanks(t, card, "Redo · 1 due")
	ids := buttonIDs(t, card["data"].(map[string]any))
	for label, id := range ids {
		if _, action, ok := h.a.unwrap(adaID, id); !ok || len(id) > maxCustomID || (label == "Report a problem" && action != "p:q:"+qid) {
			t.Fatalf("redo card button %s=%q is not scoped to the server", label, id)
		}
	}
	// Report from the card in the DM: the modal and the reply work there.
	form := wantModal(t, h.respond(h.clickAt("", "DM"+adaID, adaID, ids["Report a problem"], "card", true)))
	if _, action, ok := h.a.unwrap(adaID, form); !ok || action != "p:q:"+qid {
		t.Fatalf("modal custom id %q, want the scoped report of %s", form, qid)
	}
	wantThanks(t, h.respond(h.submitJSON("", "DM"+adaID, adaID, form, "card", str("from the DM"))), "Thanks: your report is in")
	if rs := reports(t, h); len(rs) != 1 || rs[0].Team != guildID || rs[0].UserID != adaID || rs[0].Reason != "from the DM" {
		t.Fatalf("reports %+v, want ada's in %s", rs, guildID)
	}
	// Answering the card in the DM replaces it with the next step.
	next := h.respond(h.clickAt("", "DM"+adaID, adaID, ids["B"], "card", true))
	if next["type"] != float64(7) {
		t.Fatalf("redo answer in the DM: %s, want the card updated (type 7)", raw(next))
	}
	wantContains(t, "redo answer", raw(next), "B is right")
	var item quiz.RedoItem
	if err := h.db.Where("team = ? AND user_id = ?", guildID, adaID).First(&item).Error; err != nil || item.Box == 0 {
		t.Fatalf("redo item %+v (%v), want it moved on", item, err)
	}
}

// DirectMessage opens each person's DM once; closed DMs (403, 50007) and
// a team that is not a server are bot.ErrRejected, with nothing posted.
func TestDirectMessage(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	m := bot.Message{Text: "hello", Buttons: []bot.Button{{Label: "Start my redo", Action: "x:start"}}}
	for i := 0; i < 2; i++ {
		if err := h.a.DirectMessage(ctx, guildID, adaID, m); err != nil {
			t.Fatalf("DirectMessage %d: %v", i, err)
		}
	}
	if n := len(h.fake.Calls("POST", "/users/@me/channels")); n != 1 {
		t.Fatalf("DM opens %d, want 1 (the DM is remembered)", n)
	}
	if n := h.fake.messageCount("DM" + adaID); n != 2 {
		t.Fatalf("%d DMs, want 2", n)
	}

	const closed = "600000000000000009"
	h.fake.inject(fault{Method: "POST", Prefix: "/channels/DM" + closed + "/messages", Status: 403,
		Body: `{"message":"Cannot send messages to this user","code":50007}`, Times: 1})
	err := h.a.DirectMessage(ctx, guildID, closed, m)
	if !errors.Is(err, bot.ErrRejected) || !strings.Contains(err.Error(), "Cannot send messages to this user") {
		t.Fatalf("DirectMessage to closed DMs: %v, want bot.ErrRejected with Discord's reason", err)
	}
	h.fake.inject(fault{Method: "POST", Prefix: "/users/@me/channels", Status: 400,
		Body: `{"message":"Invalid Recipient(s)","code":50033}`, Times: 1})
	if err := h.a.DirectMessage(ctx, guildID, "600000000000000008", m); !errors.Is(err, bot.ErrRejected) {
		t.Fatalf("DirectMessage to an invalid recipient: %v, want bot.ErrRejected", err)
	}
	if err := h.a.DirectMessage(ctx, "G1", adaID, m); !errors.Is(err, bot.ErrRejected) {
		t.Fatalf("DirectMessage for a team that is no server: %v, want bot.ErrRejected", err)
	}
	// A 5xx leaves the outcome unknown: not a refusal.
	h.fake.inject(fault{Method: "POST", Prefix: "/channels/DM" + adaID + "/messages", Status: 500, Body: `{"message":"oops","code":0}`, Times: 5})
	if err := h.a.DirectMessage(ctx, guildID, adaID, m); err == nil || errors.Is(err, bot.ErrRejected) {
		t.Fatalf("DirectMessage on a 500: %v, want an unknown outcome", err)
	}
	if n := h.fake.messageCount("DM" + closed); n != 0 {
		t.Fatalf("%d messages to closed DMs", n)
	}
}

// A scoped custom id fits Discord's 100 characters for the largest server
// id and the longest action the bot makes in a DM: a redo answer of a
// question id at the bank's limit; and it is not believed for another
// person, another server or with a changed MAC.
func TestScope_CustomIDs(t *testing.T) {
	h := newHarness(t)
	s := scope{guild: strconv.FormatUint(math.MaxUint64, 10), user: adaID}
	action := "x:" + strings.Repeat("q", 64) + ":EDCBA:E"
	id, err := h.a.wrap(s, action)
	if err != nil || len(id) > maxCustomID {
		t.Fatalf("wrap: %q (%d characters), %v", id, len(id), err)
	}
	if guild, got, ok := h.a.unwrap(adaID, id); !ok || guild != s.guild || got != action {
		t.Fatalf("unwrap(%q) = %q %q %v", id, guild, got, ok)
	}
	mac := strings.SplitN(strings.SplitN(id, ".", 2)[1], ":", 2)[0]
	for name, bad := range map[string]string{
		"other person": "", "changed mac": strings.Replace(id, "."+mac, ".AAAAAAAA", 1), "no prefix": action,
		"empty": "", "only prefix": "g:", "zero server": "g0." + mac + ":" + action,
	} {
		user := adaID
		if name == "other person" {
			bad, user = id, "600000000000000002"
		}
		if _, _, ok := h.a.unwrap(user, bad); ok {
			t.Fatalf("%s: %q believed", name, bad)
		}
	}
	if _, err := h.a.wrap(scope{guild: "G1", user: adaID}, "x:start"); err == nil {
		t.Fatal("wrap of a team that is no server id")
	}
}
