package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// clickIn is a block_actions body for a click in channel on message ts,
// with its trigger_id.
func (h *harness) clickIn(channel, user, value, ts, trigger string, ephemeral bool) string {
	h.n++
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user, "name": "name-" + user},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
		"response_url": fmt.Sprintf("%s/response/k%d", h.fake.srv.URL, h.n),
		"trigger_id":   trigger,
		"actions":      []map[string]any{{"action_id": "report", "block_id": "report", "type": "button", "value": value}},
	}
	data, _ := json.Marshal(payload)
	return url.Values{"payload": {string(data)}}.Encode()
}

// submissionPayload is a view_submission of the view views.open was given,
// as Slack sends it: the view echoed with its id, hash and state.
func submissionPayload(user, trigger string, opened map[string]any, reason *string) map[string]any {
	view := opened["view"].(map[string]any)
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1", "domain": "acme"},
		"user":       map[string]any{"id": user, "username": "name-" + user, "name": "name-" + user, "team_id": "T1"},
		"api_app_id": "A1", "token": "legacy", "trigger_id": trigger,
		"view": map[string]any{
			"id": "V0REPORT1", "team_id": "T1", "type": "modal", "blocks": view["blocks"], "title": view["title"],
			"private_metadata": view["private_metadata"], "callback_id": view["callback_id"],
			"state": map[string]any{"values": map[string]any{"form": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": reason}}}},
			"hash":  "1700000001.Xk3dF9", "root_view_id": "V0REPORT1", "app_id": "A1", "bot_id": "B1",
			"previous_view_id": nil, "clear_on_close": false, "notify_on_close": false, "external_id": "",
		},
		"response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
}

func formBody(payload map[string]any) string {
	data, _ := json.Marshal(payload)
	return url.Values{"payload": {string(data)}}.Encode()
}

// submit posts a view_submission over HTTP and returns the status and
// the acknowledgement's JSON.
func (h *harness) submit(payload map[string]any, mutate func(*http.Request)) (int, map[string]any) {
	h.t.Helper()
	w := h.serve("/slack/interactions", formBody(payload), mutate)
	var ack map[string]any
	if w.Code == 200 {
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			h.t.Fatalf("submission ack Content-Type %q, want application/json", ct)
		}
		if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil {
			h.t.Fatalf("submission ack %q: %v", w.Body, err)
		}
	}
	return w.Code, ack
}

// waitView waits for the n-th views.open call.
func (h *harness) waitView(n int) map[string]any {
	h.t.Helper()
	quiztest.Eventually(h.t, fmt.Sprintf("views.open call %d", n), func() bool { return len(h.fake.Views()) >= n })
	return h.fake.Views()[n-1]
}

// reports are the stored reports, oldest first.
func reports(t *testing.T, h *harness) []quiz.Report {
	t.Helper()
	var rs []quiz.Report
	if err := h.db.Order("id").Find(&rs).Error; err != nil {
		t.Fatal(err)
	}
	return rs
}

func str(s string) *string { return &s }

// revealedRound plays a round in C1 to its reveal and returns the
// reveal's blocks and the round's question.
func revealedRound(t *testing.T, h *harness) (blocks, question string) {
	t.Helper()
	h.command("U1", "start 5s")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
	h.click("U1", btn["A"], false) // wrong: the quiztest answer is B
	h.clock.Add(5 * time.Second)
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	var r quiz.Round
	if err := h.db.First(&r).Error; err != nil {
		t.Fatal(err)
	}
	return h.fake.Updates()[0].Get("blocks"), r.QuestionID
}

// The whole report over HTTP: Report on a reveal opens a modal with the
// click's trigger_id; the submission is stored and the modal shows the
// thanks; a second report updates the first; a redelivery changes
// nothing; an over-long reason is cut as quiz cuts it; a forged or
// unsigned submission is refused with nothing written.
func TestAdapter_ReportFromReveal(t *testing.T) {
	h := newHarness(t)
	blocks, qid := revealedRound(t, h)
	report := buttons(t, blocks)["Report a problem"]
	if report != "p:q:"+qid {
		t.Fatalf("reveal's report button %q, want p:q:%s", report, qid)
	}
	w := h.serve("/slack/interactions", h.clickIn("C1", "U2", report, "1700000000.000001", "13345224609.738474920.rep1", false), nil)
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("report click: status %d %q, want an empty 200", w.Code, w.Body)
	}
	opened := h.waitView(1)
	if opened["trigger_id"] != "13345224609.738474920.rep1" {
		t.Fatalf("views.open trigger_id %v, want the click's", opened["trigger_id"])
	}
	view := opened["view"].(map[string]any)
	if title, _ := view["title"].(map[string]any); title["type"] != "plain_text" || title["text"] != "Report a problem" {
		t.Fatalf("modal title %v", view["title"])
	}
	wantContains(t, "modal", mustJSON(view), `"type":"modal"`, `"callback_id":"asyncquiz_form"`,
		`"type":"input"`, `"optional":true`, `"type":"plain_text_input"`, `"multiline":true`, fmt.Sprintf(`"max_length":%d`, quiz.MaxReason),
		"What is wrong with this question? (optional)", `"submit":`)
	if meta := view["private_metadata"].(string); !strings.Contains(meta, `"a":"p:q:`+qid+`"`) || !strings.Contains(meta, `"c":"C1"`) {
		t.Fatalf("private_metadata %q lacks the form's action and channel", meta)
	}
	h.a.Wait(t.Context())
	if n := len(h.fake.responses); n != 0 {
		t.Fatalf("%d response_url replies to the click; the modal is the reply", n)
	}

	code, ack := h.submit(submissionPayload("U2", "13345224609.738474920.sub1", opened, str("The answer is wrong on Python 3.13.")), nil)
	if code != 200 || ack["response_action"] != "update" {
		t.Fatalf("submission: %d %v, want the modal updated", code, ack)
	}
	wantContains(t, "thanks", mustJSON(ack["view"]), "Thanks: your report is in", `"type":"modal"`, `"close":`)
	if strings.Contains(mustJSON(ack["view"]), `"submit"`) {
		t.Fatalf("the thank-you view has a submit button: %s", mustJSON(ack["view"]))
	}
	rs := reports(t, h)
	if len(rs) != 1 || rs[0].UserID != "U2" || rs[0].QuestionID != qid || rs[0].Team != "T1" || rs[0].Platform != "slack" ||
		rs[0].Reason != "The answer is wrong on Python 3.13." {
		t.Fatalf("reports %+v, want U2's of %s with the reason", rs, qid)
	}

	// A second report by the same person updates the first.
	w = h.serve("/slack/interactions", h.clickIn("C1", "U2", report, "1700000000.000001", "13345224609.738474920.rep2", false), nil)
	again := h.waitView(2)
	_, ack = h.submit(submissionPayload("U2", "13345224609.738474920.sub2", again, str("Also the wording.")), nil)
	wantContains(t, "second", mustJSON(ack["view"]), "you had reported this question already, so your report was updated")
	if rs := reports(t, h); len(rs) != 1 || rs[0].Reason != "Also the wording." {
		t.Fatalf("reports %+v, want one with the new reason", rs)
	}

	// Slack redelivers the second submission: the modal is closed and nothing runs.
	_, ack = h.submit(submissionPayload("U2", "13345224609.738474920.sub2", again, str("Redelivered.")), nil)
	if ack["response_action"] != "clear" {
		t.Fatalf("redelivered submission ack %v, want clear", ack)
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].Reason != "Also the wording." {
		t.Fatalf("reports %+v after a redelivery, want the second reason kept", rs)
	}

	// An over-long reason is cut to quiz.MaxReason, as quiz cuts it; an
	// empty one (the input is optional) is a report without a reason.
	h.submit(submissionPayload("U3", "13345224609.738474920.sub3", again, str(strings.Repeat("é", quiz.MaxReason+100))), nil)
	h.submit(submissionPayload("U4", "13345224609.738474920.sub4", again, nil), nil)
	rs = reports(t, h)
	if len(rs) != 3 || rs[1].UserID != "U3" || utf8.RuneCountInString(rs[1].Reason) != quiz.MaxReason || rs[2].UserID != "U4" || rs[2].Reason != "" {
		t.Fatalf("reports %+v, want U3's cut to %d runes and U4's without a reason", rs, quiz.MaxReason)
	}

	// Forged and unsigned submissions are refused before anything runs.
	for name, mutate := range map[string]func(*http.Request){
		"wrong secret": func(r *http.Request) {
			body := formBody(submissionPayload("U5", "13345224609.738474920.sub5", again, str("forged")))
			sign(r, body, time.Now(), "not-the-secret")
		},
		"unsigned": func(r *http.Request) {
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
		},
		"stale": func(r *http.Request) {
			sign(r, formBody(submissionPayload("U5", "13345224609.738474920.sub5", again, str("forged"))), time.Now().Add(-6*time.Minute), testSecret)
		},
	} {
		if code, _ := h.submit(submissionPayload("U5", "13345224609.738474920.sub5", again, str("forged")), mutate); code != http.StatusUnauthorized {
			t.Fatalf("%s submission: status %d, want 401", name, code)
		}
	}
	if n := h.db.Count(t, &quiz.Report{}, "user_id = ?", "U5"); n != 0 {
		t.Fatalf("%d reports from forged submissions", n)
	}
	if n := h.db.Count(t, &quiz.Delivery{}, "id = ?", "13345224609.738474920.sub5"); n != 0 {
		t.Fatalf("a forged submission's delivery was recorded")
	}
}

// A drill card's report names the drill step, not the question id (the
// card must not give the question away); the report is of that question.
func TestAdapter_ReportFromDrillCard(t *testing.T) {
	h := newHarness(t)
	card := h.command("U1", "drill 2")
	btn := buttons(t, mustJSON(card["blocks"]))
	if btn["Report a problem"] != "p:d:1:1" || btn["A"] == "" {
		t.Fatalf("drill card buttons %v, want the answers and p:d:1:1", btn)
	}
	h.serve("/slack/interactions", h.clickIn("C1", "U1", btn["Report a problem"], "1700000000.000009", "13345224609.738474920.dr1", true), nil)
	opened := h.waitView(1)
	_, ack := h.submit(submissionPayload("U1", "13345224609.738474920.dr2", opened, str("unclear")), nil)
	wantContains(t, "thanks", mustJSON(ack["view"]), "Thanks: your report is in")
	var d quiz.DrillItem
	if err := h.db.Where("seq = ?", 1).First(&d).Error; err != nil {
		t.Fatal(err)
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].QuestionID != d.QuestionID || rs[0].UserID != "U1" {
		t.Fatalf("reports %+v, want U1's of the drill's first question %s", rs, d.QuestionID)
	}
	// Another person cannot report through someone else's drill step.
	h.serve("/slack/interactions", h.clickIn("C1", "U9", btn["Report a problem"], "1700000000.000009", "13345224609.738474920.dr3", true), nil)
	wantContains(t, "foreign drill", replyText(h.reply()), "not yours")
	if n := len(h.fake.Views()); n != 1 {
		t.Fatalf("views.open calls %d, want no modal for another person's drill", n)
	}
}

// When Slack refuses the modal (the trigger expired), the person is told
// privately to click again.
func TestAdapter_ReportModalRefused(t *testing.T) {
	h := newHarness(t)
	blocks, _ := revealedRound(t, h)
	report := buttons(t, blocks)["Report a problem"]
	h.fake.set(func(f *fakeSlack) { f.viewError = "expired_trigger_id" })
	h.serve("/slack/interactions", h.clickIn("C1", "U2", report, "1700000000.000001", "13345224609.738474920.exp", false), nil)
	r := h.reply()
	if r["response_type"] != "ephemeral" || r["replace_original"] != false {
		t.Fatalf("fallback reply %v, want an ephemeral one that leaves the reveal alone", r)
	}
	wantContains(t, "fallback", replyText(r), "could not open the form")
	if lines := h.logs.Lines("Open form failed", "expired_trigger_id"); len(lines) != 1 {
		t.Fatalf("log lines %v, want the refusal with its cause", lines)
	}
}

// Over Socket Mode the submission's reply is the ack's payload.
func TestSocketMode_ReportSubmission(t *testing.T) {
	h := newHarness(t)
	blocks, _ := revealedRound(t, h)
	report := buttons(t, blocks)["Report a problem"]
	h.runSocket()
	c := h.fake.sm.next(t)
	click := h.clickPayload("U2", report, "13345224609.738474920.smr")
	c.envelope("interactive", "env-report", click)
	c.waitAck(t, "env-report")
	opened := h.waitView(1)
	if opened["trigger_id"] != "13345224609.738474920.smr" {
		t.Fatalf("views.open trigger_id %v, want the click's", opened["trigger_id"])
	}
	c.envelope("interactive", "env-submit", submissionPayload("U2", "13345224609.738474920.sms", opened, str("wrong on 3.13")))
	c.waitAck(t, "env-submit")
	var ack map[string]any
	if err := json.Unmarshal(c.ackPayload("env-submit"), &ack); err != nil || ack["response_action"] != "update" {
		t.Fatalf("submission ack payload %s (%v), want the modal updated", c.ackPayload("env-submit"), err)
	}
	wantContains(t, "thanks", mustJSON(ack["view"]), "Thanks: your report is in")
	if rs := reports(t, h); len(rs) != 1 || rs[0].UserID != "U2" || rs[0].Reason != "wrong on 3.13" {
		t.Fatalf("reports %+v", rs)
	}
	// Redelivered (Slack did not see the ack): closed, nothing recorded.
	c.envelope("interactive", "env-submit-2", submissionPayload("U2", "13345224609.738474920.sms", opened, str("again")))
	c.waitAck(t, "env-submit-2")
	if !strings.Contains(string(c.ackPayload("env-submit-2")), `"response_action":"clear"`) {
		t.Fatalf("redelivery ack payload %s, want clear", c.ackPayload("env-submit-2"))
	}
	if rs := reports(t, h); len(rs) != 1 || rs[0].Reason != "wrong on 3.13" {
		t.Fatalf("reports %+v after a redelivery", rs)
	}
	// A malformed submission is acked (or Slack redelivers it) and ignored.
	c.envelope("interactive", "env-bad", map[string]any{"type": "view_submission", "user": map[string]any{"id": ""},
		"view": map[string]any{"callback_id": formCallback, "private_metadata": "{"}})
	c.waitAck(t, "env-bad")
	if len(c.ackPayload("env-bad")) != 0 {
		t.Fatalf("malformed submission acked with %s", c.ackPayload("env-bad"))
	}
}
