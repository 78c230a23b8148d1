package slack

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// payloadShape is a block_actions payload in testdata/payloads (the shapes
// of Slack's documentation: the field set of a real click, with the
// echoed message), filled in for the test's round.
func payloadShape(t *testing.T, file, value, ts, responseURL string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/payloads/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("{{VALUE}}", value, "{{TS}}", ts, "{{RESPONSE_URL}}", responseURL).Replace(string(data))
}

// Issue 12.7: every shape of payload Slack sends, signed, to the HTTP
// endpoints: the command that starts a round and a click on it. Each
// click is recorded in the round of its channel, under the installation
// (auth.test), whatever team the clicker is from; before, the Grid, org-wide
// (team: null) and Slack Connect clicks were refused.
func TestAdapter_RealPayloadShapes(t *testing.T) {
	const grid = `"team_id":"T1","team":"Acme","enterprise_id":"E1","bot_id":"B1","is_enterprise_install":false`
	const org = `"team_id":"E1","team":"Acme Corp","enterprise_id":"E1","bot_id":"B1","is_enterprise_install":true`
	tests := []struct {
		name, file, auth, channel, user, tenant string
		command                                 url.Values // the starter's command fields beyond the common ones
	}{
		{"standard", "standard.json", authWorkspace, "C1", "U0CA5", "T1",
			url.Values{"team_id": {"T1"}, "team_domain": {"acme"}, "channel_name": {"quiz"}}},
		{"Grid workspace install, member of another workspace", "grid-workspace.json", grid, "C1", "W0GRID2", "T1",
			url.Values{"team_id": {"T1"}, "enterprise_id": {"E1"}, "enterprise_name": {"Acme Corp"}, "channel_name": {"quiz"}}},
		{"org-wide install", "org-wide.json", org, "C1", "W0ORG3", "E1",
			url.Values{"team_id": {"T3"}, "enterprise_id": {"E1"}, "is_enterprise_install": {"true"}, "channel_name": {"quiz"}}},
		{"Slack Connect external member", "slack-connect-external.json", authWorkspace, "C1", "U0EXT9", "T1",
			url.Values{"team_id": {"T1"}, "channel_name": {"shared-quiz"}}},
		{"DM", "dm.json", authWorkspace, "D1", "U0CA5", "T1",
			url.Values{"team_id": {"T1"}, "channel_name": {"directmessage"}}},
		{"private channel", "private-channel.json", authWorkspace, "G1", "U0CA6", "T1",
			url.Values{"team_id": {"T1"}, "channel_name": {"privategroup"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.set(func(f *fakeSlack) { f.auth = tc.auth })
			form := url.Values{
				"token": {"legacy"}, "channel_id": {tc.channel}, "user_id": {"U0START"}, "user_name": {"starter"},
				"command": {"/asyncquiz"}, "text": {"start 1m"}, "api_app_id": {"A0CA5"},
				"response_url": {h.fake.srv.URL + "/response/cmd"}, "trigger_id": {"13345224609.738474920.cmd"},
			}
			for k, v := range tc.command {
				form[k] = v
			}
			if w := h.serve("/slack/commands", form.Encode(), nil); w.Code != 200 {
				t.Fatalf("command: status %d", w.Code)
			}
			wantContains(t, "start", replyText(h.reply()), "Round 1 started")
			post := h.fake.Posts()[0]
			if post.Get("channel") != tc.channel {
				t.Fatalf("posted in %q, want %q", post.Get("channel"), tc.channel)
			}
			btn := buttons(t, post.Get("blocks"))
			payload := payloadShape(t, tc.file, btn["B"], "1700000000.000001", h.fake.srv.URL+"/response/click")
			if w := h.serve("/slack/interactions", url.Values{"payload": {payload}}.Encode(), nil); w.Code != 200 {
				t.Fatalf("click: status %d %s", w.Code, w.Body)
			}
			wantContains(t, "click", replyText(h.reply()), "Locked in B")
			if n := h.db.Count(t, &quiz.Answer{}, "team = ? AND channel = ? AND user_id = ?", tc.tenant, tc.channel, tc.user); n != 1 {
				t.Fatalf("answers under %s/%s by %s: %d, want 1", tc.tenant, tc.channel, tc.user, n)
			}
			if n := h.db.Count(t, &quiz.Round{}, "team = ?", tc.tenant); n != 1 {
				t.Fatalf("rounds under %s: %d, want 1", tc.tenant, n)
			}
		})
	}
	t.Run("ephemeral card", func(t *testing.T) {
		h := newHarness(t)
		card := h.command("U0CA5", "drill 2")
		btn := buttons(t, mustJSON(card["blocks"]))
		payload := payloadShape(t, "ephemeral-card.json", btn["A"], "", h.fake.srv.URL+"/response/card")
		if w := h.serve("/slack/interactions", url.Values{"payload": {payload}}.Encode(), nil); w.Code != 200 {
			t.Fatalf("status %d %s", w.Code, w.Body)
		}
		r := h.reply()
		if r["replace_original"] != true {
			t.Fatalf("the card's next step must replace it: %v", r)
		}
		wantContains(t, "drill step", replyText(r), "Drill 2/2")
	})
}

// A click on a message that is not the round's own (container.message_ts
// differs) is not counted, even in the round's channel.
func TestAdapter_ClickOnAnotherMessageIsRefused(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "start 1m")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
	payload := payloadShape(t, "standard.json", btn["B"], "1699999999.000777", h.fake.srv.URL+"/response/x")
	h.serve("/slack/interactions", url.Values{"payload": {payload}}.Encode(), nil)
	if got := replyText(h.reply()); strings.Contains(got, "Locked in") {
		t.Fatalf("a click on another message was counted: %s", got)
	}
}
