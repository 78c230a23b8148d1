package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// submitJSON is a MODAL_SUBMIT interaction, as Discord sends one for a
// modal opened from a button on message: in guild (member) or, with guild
// "", in a DM with the bot (user). A nil value is an input left empty.
func (h *harness) submitJSON(guild, channel, user, customID, message string, value *string) string {
	h.n++
	input := map[string]any{"type": 4, "id": 2, "custom_id": reasonInput}
	if value != nil {
		input["value"] = *value
	}
	body := map[string]any{
		"id": snowflake(h.n), "application_id": "123456", "type": 5, "token": fmt.Sprintf("tok%d", h.n),
		"channel_id": channel, "version": 1, "locale": "en-GB", "app_permissions": "1126999418470401",
		"message": map[string]any{"id": message, "channel_id": channel, "flags": 0},
		"data": map[string]any{"custom_id": customID,
			"components": []any{map[string]any{"type": 1, "id": 1, "components": []any{input}}}},
	}
	dmOrGuild(body, guild, channel, user)
	b, _ := json.Marshal(body)
	return string(b)
}

// dmOrGuild fills in where an interaction comes from: a guild channel
// (member, guild install) or a DM with the bot (user, context 1, guild
// install "0", as Discord sends them).
func dmOrGuild(body map[string]any, guild, channel, user string) {
	u := map[string]any{"id": user, "username": "name-" + user, "global_name": nil, "discriminator": "0"}
	if guild == "" {
		body["user"], body["context"] = u, 1
		body["authorizing_integration_owners"] = map[string]any{"0": "0"}
		body["channel"] = map[string]any{"id": channel, "type": 1, "flags": 0, "recipients": []any{u}}
		return
	}
	body["guild_id"], body["member"], body["context"] = guild, map[string]any{"user": u, "permissions": "0", "nick": nil}, 0
	body["authorizing_integration_owners"] = map[string]any{"0": guild}
}

// clickAt is a button click in a guild channel or, with guild "", a DM.
func (h *harness) clickAt(guild, channel, user, customID, message string, ephemeral bool) string {
	h.n++
	flags := 0
	if ephemeral {
		flags = 64
	}
	body := map[string]any{
		"id": snowflake(h.n), "application_id": "123456", "type": 3, "token": fmt.Sprintf("tok%d", h.n), "channel_id": channel,
		"message": map[string]any{"id": message, "channel_id": channel, "flags": flags},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	}
	dmOrGuild(body, guild, channel, user)
	b, _ := json.Marshal(body)
	return string(b)
}

// respond posts an interaction and decodes the response.
func (h *harness) respond(body string) map[string]any {
	h.t.Helper()
	w := h.post(body, nil)
	if w.Code != 200 {
		h.t.Fatalf("status %d %s", w.Code, w.Body)
	}
	var resp map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		h.t.Fatalf("response %q: %v", w.Body, err)
	}
	return resp
}

// wantModal checks a response is the report form as a modal and returns
// its custom id.
func wantModal(t *testing.T, resp map[string]any) string {
	t.Helper()
	data, _ := resp["data"].(map[string]any)
	if resp["type"] != float64(9) || data == nil {
		t.Fatalf("response %s, want a modal (type 9)", raw(resp))
	}
	title, _ := data["title"].(string)
	id, _ := data["custom_id"].(string)
	if title != "Report a problem" || utf8.RuneCountInString(title) > maxModalTitle || id == "" || len(id) > maxCustomID {
		t.Fatalf("modal title %q, custom id %q", title, id)
	}
	rows, _ := data["components"].([]any)
	if len(rows) != 1 {
		t.Fatalf("modal components %s, want one row", raw(data["components"]))
	}
	inputs := rows[0].(map[string]any)["components"].([]any)
	in := inputs[0].(map[string]any)
	label, _ := in["label"].(string)
	if rows[0].(map[string]any)["type"] != float64(1) || len(inputs) != 1 || in["type"] != float64(4) || in["style"] != float64(2) ||
		in["custom_id"] != reasonInput || in["required"] != false || in["max_length"] != float64(quiz.MaxReason) ||
		label != "What is wrong with this question? (optional)" || utf8.RuneCountInString(label) > maxInputLabel ||
		utf8.RuneCountInString(in["placeholder"].(string)) > maxPlaceholder {
		t.Fatalf("modal input %s, want an optional paragraph text input of at most %d characters", raw(in), quiz.MaxReason)
	}
	return id
}

// wantThanks checks a response is a private message with want.
func wantThanks(t *testing.T, resp map[string]any, want string) {
	t.Helper()
	if resp["type"] != float64(4) || resp["data"].(map[string]any)["flags"] != float64(64) {
		t.Fatalf("response %s, want an ephemeral message", raw(resp))
	}
	wantContains(t, "reply", raw(resp), want)
}

func reports(t *testing.T, h *harness) []quiz.Report {
	t.Helper()
	var rs []quiz.Report
	if err := h.db.Order("id").Find(&rs).Error; err != nil {
		t.Fatal(err)
	}
	return rs
}

func str(s string) *string { return &s }

// revealed plays a round in guild's C1 to its reveal, U1 answering wrong,
// and returns the question and the reveal's buttons.
func revealed(t *testing.T, h *harness, guild, user string) (question string, ids map[string]string) {
	t.Helper()
	start := strings.Replace(h.commandJSON(user, 0, "start", map[string]any{"duration": "5s"}), `"guild_id":"G1"`, fmt.Sprintf(`"guild_id":%q`, guild), 1)
	h.commandBody(start)
	round := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)
	h.respond(h.clickAt(guild, "C1", user, round["A"], h.fake.lastMessage("C1"), false)) // wrong: the answer is B
	h.clock.Add(5 * time.Second)
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	var r quiz.Round
	if err := h.db.First(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r.QuestionID, buttonIDs(t, h.fake.wait(t, "PATCH", "/channels/C1/messages/").Body)
}

// The whole report over HTTP: Report on a reveal answers with a modal; the
// submission is stored and answered privately; a second report updates the
// first; a redelivery changes nothing; an over-long reason is cut as quiz
// cuts it; a forged or unsigned submission is refused with nothing written.
func TestReport_FromReveal(t *testing.T) {
	h := newHarness(t)
	qid, ids := revealed(t, h, "G1", "U1")
	if ids["Report a problem"] != "p:q:"+qid {
		t.Fatalf("reveal buttons %v, want the report of %s", ids, qid)
	}
	msg := h.fake.lastMessage("C1")
	form := wantModal(t, h.respond(h.clickAt("G1", "C1", "U2", ids["Report a problem"], msg, false)))
	if form != "p:q:"+qid {
		t.Fatalf("modal custom id %q, want the form's action", form)
	}

	wantThanks(t, h.respond(h.submitJSON("G1", "C1", "U2", form, msg, str("The answer is wrong on Python 3.13."))), "Thanks: your report is in")
	rs := reports(t, h)
	if len(rs) != 1 || rs[0].Platform != "discord" || rs[0].Team != "G1" || rs[0].UserID != "U2" || rs[0].QuestionID != qid ||
		rs[0].Reason != "The answer is wrong on Python 3.13." {
		t.Fatalf("reports %+v, want U2's of %s with the reason", rs, qid)
	}

	second := h.submitJSON("G1", "C1", "U2", form, msg, str("Also the wording."))
	wantThanks(t, h.respond(second), "you had reported this question already, so your report was updated")
	// Discord redelivers the second (same interaction id): acknowledged, nothing runs.
	if resp := h.respond(strings.Replace(second, "Also the wording.", "Redelivered.", 1)); resp["type"] != float64(6) {
		t.Fatalf("redelivered submission answered %s, want the no-op type 6", raw(resp))
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].Reason != "Also the wording." {
		t.Fatalf("reports %+v, want one, with the second reason", rs)
	}

	// Over-long: cut to quiz.MaxReason runes; empty (optional): no reason.
	h.respond(h.submitJSON("G1", "C1", "U3", form, msg, str(strings.Repeat("é", quiz.MaxReason+100))))
	h.respond(h.submitJSON("G1", "C1", "U4", form, msg, nil))
	rs = reports(t, h)
	if len(rs) != 3 || rs[1].UserID != "U3" || utf8.RuneCountInString(rs[1].Reason) != quiz.MaxReason || rs[2].UserID != "U4" || rs[2].Reason != "" {
		t.Fatalf("reports %+v, want U3's cut to %d runes and U4's without a reason", rs, quiz.MaxReason)
	}

	// Forged, unsigned and stale submissions are refused before anything runs.
	_, other, _ := ed25519.GenerateKey(nil)
	forged := h.submitJSON("G1", "C1", "U5", form, msg, str("forged"))
	for name, mutate := range map[string]func(*http.Request){
		"other key": func(r *http.Request) { sign(r, other, forged, time.Now()) },
		"unsigned": func(r *http.Request) {
			r.Header.Del("X-Signature-Ed25519")
			r.Header.Del("X-Signature-Timestamp")
		},
		"stale": func(r *http.Request) { sign(r, h.priv, forged, time.Now().Add(-6*time.Minute)) },
	} {
		if w := h.post(forged, mutate); w.Code != http.StatusUnauthorized {
			t.Fatalf("%s submission: status %d, want 401", name, w.Code)
		}
	}
	if n := h.db.Count(t, &quiz.Report{}, "user_id = ?", "U5"); n != 0 {
		t.Fatalf("%d reports from forged submissions", n)
	}
	if n := h.db.Count(t, &quiz.Delivery{}, "id = ?", interactionID(t, forged)); n != 0 {
		t.Fatal("a forged submission's delivery was recorded")
	}
}

// A drill card's report names the drill step (the card must not give the
// question away) and reports that step's question; the report button has
// a row of its own under the answers.
func TestReport_FromDrillCard(t *testing.T) {
	h := newHarness(t)
	card := h.command("U1", 0, "drill", map[string]any{"count": 2})
	rows := card.Body["components"].([]any)
	last := rows[len(rows)-1].(map[string]any)["components"].([]any)
	if len(rows) != 2 || len(last) != 1 || last[0].(map[string]any)["custom_id"] != "p:d:1:1" || last[0].(map[string]any)["style"] != float64(2) {
		t.Fatalf("drill card rows %s, want the answers, then the report alone", raw(rows))
	}
	form := wantModal(t, h.respond(h.clickAt("G1", "C1", "U1", "p:d:1:1", "card", true)))
	wantThanks(t, h.respond(h.submitJSON("G1", "C1", "U1", form, "card", str("unclear"))), "Thanks: your report is in")
	var item quiz.DrillItem
	if err := h.db.Where("seq = ?", 1).First(&item).Error; err != nil {
		t.Fatal(err)
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].QuestionID != item.QuestionID {
		t.Fatalf("reports %+v, want one of the drill's first question %s", rs, item.QuestionID)
	}
	// Someone else's drill step is not theirs to report through.
	wantThanks(t, h.respond(h.clickAt("G1", "C1", "U9", "p:d:1:1", "card", true)), "not yours")
	wantThanks(t, h.respond(h.submitJSON("G1", "C1", "U9", "p:d:1:1", "card", str("x"))), "not yours")
	if n := len(reports(t, h)); n != 1 {
		t.Fatalf("%d reports, want still 1", n)
	}
}

// Over the gateway the modal and the reply go through the REST callback.
func TestReport_OverGateway(t *testing.T) {
	h := newHarness(t)
	qid, ids := revealed(t, h, "G1", "U1")
	gw := newFakeGateway(t, h.fake)
	h.runGateway(t)
	gw.nextHello(t)
	msg := h.fake.lastMessage("C1")
	click := h.clickAt("G1", "C1", "U2", ids["Report a problem"], msg, false)
	gw.dispatch(click)
	quiztest.Eventually(t, "the modal callback", func() bool { return len(h.fake.callbacks()[interactionID(t, click)]) == 1 })
	var modalResp map[string]any
	json.Unmarshal([]byte(h.fake.callbacks()[interactionID(t, click)][0].Raw), &modalResp)
	form := wantModal(t, modalResp)
	submit := h.submitJSON("G1", "C1", "U2", form, msg, str("over the gateway"))
	gw.dispatch(submit)
	gw.dispatch(submit) // a resume replays it: no second callback
	quiztest.Eventually(t, "the reply callback", func() bool { return len(h.fake.callbacks()[interactionID(t, submit)]) == 1 })
	var reply map[string]any
	json.Unmarshal([]byte(h.fake.callbacks()[interactionID(t, submit)][0].Raw), &reply)
	wantThanks(t, reply, "Thanks: your report is in")
	h.a.Wait(t.Context())
	if n := len(h.fake.callbacks()[interactionID(t, submit)]); n != 1 {
		t.Fatalf("%d callbacks for the submission, want 1", n)
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].QuestionID != qid || rs[0].Reason != "over the gateway" {
		t.Fatalf("reports %+v", rs)
	}
}

// Submissions that cannot be real are refused with 400 or answered with a
// private refusal, never a panic, and write nothing.
func TestReport_MalformedSubmissions(t *testing.T) {
	base := func(h *harness) map[string]any {
		var b map[string]any
		json.Unmarshal([]byte(h.submitJSON("G1", "C1", "U1", "p:q:core-easy-1", "m1", str("x"))), &b)
		return b
	}
	tests := map[string]struct {
		mutate func(b map[string]any)
		status int
		want   string
	}{
		"no data":                {func(b map[string]any) { delete(b, "data") }, 400, ""},
		"unknown component type": {func(b map[string]any) { b["data"].(map[string]any)["components"] = []any{map[string]any{"type": 99}} }, 400, ""},
		"components not a list":  {func(b map[string]any) { b["data"].(map[string]any)["components"] = "x" }, 400, ""},
		"another form":           {func(b map[string]any) { b["data"].(map[string]any)["custom_id"] = "z:1" }, 200, "not one of mine"},
		"no custom id":           {func(b map[string]any) { delete(b["data"].(map[string]any), "custom_id") }, 200, "not one of mine"},
		"value not a string": {func(b map[string]any) {
			b["data"].(map[string]any)["components"] = []any{map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": 5}}}}
		}, 400, ""},
		"a scoped form in a guild": {func(b map[string]any) { b["data"].(map[string]any)["custom_id"] = "g1.AAAAAAAA:p:q:core-easy-1" }, 200, "not one of mine"},
		"in a DM, unscoped": {func(b map[string]any) {
			delete(b, "guild_id")
			delete(b, "member")
			b["user"] = map[string]any{"id": adaID}
		}, 200, "server channel"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			b := base(h)
			tc.mutate(b)
			body, _ := json.Marshal(b)
			w := h.post(string(body), nil)
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.want != "" {
				wantContains(t, name, w.Body.String(), tc.want, `"flags":64`)
			}
			if n := h.db.Count(t, &quiz.Report{}); n != 0 {
				t.Fatalf("%d reports written", n)
			}
		})
	}
}
