package discord

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// commandWith is a start/drill/daily command whose subcommand options are
// given as raw JSON, in any shape.
func (h *harness) commandWith(sub, options string) string {
	h.n++
	return fmt.Sprintf(`{"id":%q,"application_id":"123456","type":2,"token":"tok%d","guild_id":"G1","channel_id":"C1",`+
		`"member":{"user":{"id":"U1","username":"u"},"permissions":"0"},`+
		`"data":{"id":"cmd","name":"asyncquiz","type":1,"options":[{"name":%q,"type":1,"options":%s}]}}`,
		snowflake(h.n), h.n, sub, options)
}

// Option values of another type than registered, missing values and
// wrong shapes get a private error with the right form, never a panic
// (before, a number for duration panicked: interface conversion).
func TestInput_OptionTypesChecked(t *testing.T) {
	tests := []struct {
		name, sub, options string
		want               []string
	}{
		{"number for duration", "start", `[{"name":"duration","type":4,"value":30}]`, []string{"duration option must be a duration", "Usage: /asyncquiz start"}},
		{"number typed as string", "start", `[{"name":"duration","type":3,"value":30}]`, []string{"duration option must be a duration", "Usage: /asyncquiz start"}},
		{"string for count", "drill", `[{"name":"count","type":4,"value":"5"}]`, []string{"count option must be a whole number from 1 to", "Usage: /asyncquiz drill"}},
		{"string type for count", "drill", `[{"name":"count","type":3,"value":"5"}]`, []string{"count option must be a whole number", "Usage: /asyncquiz drill"}},
		{"fraction for count", "drill", `[{"name":"count","type":4,"value":2.5}]`, []string{"count option must be a whole number"}},
		{"huge count", "drill", `[{"name":"count","type":4,"value":1e300}]`, []string{"count option must be a whole number"}},
		{"missing value", "start", `[{"name":"duration","type":3}]`, []string{"duration option has no value", "Usage: /asyncquiz start"}},
		{"null value", "start", `[{"name":"duration","type":3,"value":null}]`, []string{"duration option has no value"}},
		{"string for flag", "daily", `[{"name":"off","type":5,"value":"yes"}]`, []string{"off option must be true or false", "Usage: /asyncquiz daily"}},
		{"nested options in a value", "start", `[{"name":"duration","type":3,"value":"5m","options":[{"name":"x","type":3,"value":"y"}]}]`, []string{"duration option must be"}},
		{"null option", "start", `[null]`, []string{"An option is empty", "Usage: /asyncquiz start"}},
		{"twice", "start", `[{"name":"duration","type":3,"value":"5m"},{"name":"Duration","type":3,"value":"6m"}]`, []string{"given twice"}},
		{"unknown option", "start", `[{"name":"colour","type":3,"value":"red"}]`, []string{`Unknown option \"colour\"`, "Usage: /asyncquiz start"}},
		{"unknown subcommand", "strat", `[]`, []string{`Did you mean \"start\"`}},
		{"out of range", "drill", `[{"name":"count","type":4,"value":5000}]`, []string{"Usage: /asyncquiz drill"}},
		{"overflowing duration", "start", `[{"name":"duration","type":3,"value":"226257929241703d"}]`, []string{"Usage: /asyncquiz start"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			got := h.commandBody(h.commandWith(tc.sub, tc.options))
			wantContains(t, tc.name, got.Raw, tc.want...)
			if n := len(h.fake.Calls("POST", "/channels/")); n != 0 {
				t.Fatalf("bad input posted %d messages", n)
			}
		})
	}
}

// Shapes that are not an interaction the bot can read are refused with
// 400 (or answered with help), never a panic.
func TestInput_MalformedShapes(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
	}{
		{"options as an object", `{"id":"1","type":2,"token":"t","guild_id":"G1","channel_id":"C1","data":{"name":"asyncquiz","options":{"name":"start"}}}`, 400},
		{"command without data", `{"id":"1","type":2,"token":"t","guild_id":"G1","channel_id":"C1"}`, 400},
		{"command with null data", `{"id":"1","type":2,"token":"t","guild_id":"G1","channel_id":"C1","member":{"user":{"id":"U1"}},"data":null}`, 200},
		{"subcommand of the wrong type", `{"id":"1","type":2,"token":"t","guild_id":"G1","channel_id":"C1","member":{"user":{"id":"U1"}},"data":{"name":"asyncquiz","options":[{"name":"start","type":3,"value":"x"}]}}`, 200},
		{"click with a numeric custom id", `{"id":"1","type":3,"token":"t","guild_id":"G1","channel_id":"C1","data":{"custom_id":5}}`, 400},
		{"click without a message", `{"id":"1","type":3,"token":"t","guild_id":"G1","channel_id":"C1","member":{"user":{"id":"U1"}},"data":{"custom_id":"r:1:A"}}`, 200},
		{"member without a user", `{"id":"1","type":3,"token":"t","guild_id":"G1","channel_id":"C1","member":{"permissions":"8"},"message":{"id":"m1"},"data":{"custom_id":"r:1:A"}}`, 200},
		{"channel as a string", `{"id":"1","type":2,"token":"t","guild_id":"G1","channel_id":"C1","channel":"C1","data":{}}`, 400},
		{"permissions not a number", `{"id":"1","type":2,"token":"t","app_permissions":"lots","data":{}}`, 400},
		{"round id beyond 64 bits", `{"id":"1","type":3,"token":"t","guild_id":"G1","channel_id":"C1","member":{"user":{"id":"U1"}},"message":{"id":"m1"},"data":{"custom_id":"r:18446744073709551616:A"}}`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.post(tc.body, nil)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if w.Code == 200 && !strings.Contains(w.Body.String(), `"flags":64`) {
				t.Fatalf("answer %s, want a private one", w.Body)
			}
		})
	}
}

// A click must come from the round's own message: the same button on
// another message of the channel is refused.
func TestInput_ClickOnAnotherMessage(t *testing.T) {
	h := newHarness(t)
	h.command("U1", 0, "start", map[string]any{"duration": "1m"})
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)
	w := h.post(h.clickJSON("G1", "U2", ids["B"], "999999999999", false), nil)
	if strings.Contains(w.Body.String(), "Locked in") {
		t.Fatalf("a click on another message was recorded: %s", w.Body)
	}
	var n int64
	h.db.Table("answers").Count(&n)
	if n != 0 {
		t.Fatalf("%d answers recorded", n)
	}
	wantContains(t, "own message", raw(h.click("U2", ids["B"], false)), "Locked in B")
}

// A redelivered HTTP interaction (same id) runs nothing twice: a click is
// acknowledged with a no-op (type 6, nothing changes), a command's
// deferred response is not edited a second time.
func TestInput_RedeliveryOverHTTP(t *testing.T) {
	h := newHarness(t)
	h.command("U1", 0, "start", map[string]any{"duration": "1m"})
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)
	body := h.clickJSON("G1", "U2", ids["B"], h.fake.lastMessage("C1"), false)
	wantContains(t, "first", h.post(body, nil).Body.String(), "Locked in B")
	again := h.post(body, nil)
	if strings.TrimSpace(again.Body.String()) != `{"type":6}` {
		t.Fatalf("redelivered click answered %s, want the no-op {\"type\":6}", again.Body)
	}

	drill := h.commandJSON("U3", 0, "drill", map[string]any{"count": 2})
	h.commandBody(drill)
	w := h.post(drill, nil)
	if !strings.Contains(w.Body.String(), `"type":5`) {
		t.Fatalf("redelivered command answered %s, want the deferred response", w.Body)
	}
	h.a.Wait(t.Context())
	if n := len(h.fake.Calls("PATCH", "/webhooks/")); n != 2 { // start and the first drill
		t.Fatalf("%d reply edits, want 2: the redelivery edits nothing", n)
	}
	var drills int64
	h.db.Table("drills").Count(&drills)
	if drills != 1 {
		t.Fatalf("%d drills, want 1", drills)
	}
}

// FuzzInteraction feeds the decoder and every handler arbitrary bodies:
// nothing panics, and every HTTP answer is 200 with JSON or 400.
func FuzzInteraction(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "payloads", "*.json"))
	for _, p := range seeds {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	h := newHarness(f)
	// Nothing may log through f once fuzzing runs.
	h.a.log = slog.New(slog.DiscardHandler)
	routeLibraryLog(h.a.log)
	for _, s := range []string{
		h.commandWith("start", `[{"name":"duration","type":4,"value":30}]`),
		h.commandWith("drill", `[{"name":"count","type":3,"value":"x"}]`),
		h.commandWith("daily", `[{"name":"time","type":3,"value":"09:30"},{"name":"off","type":5,"value":true}]`),
		h.clickJSON("G1", "U1", "r:1:A", "m1", false),
		h.clickJSON("G1", "U1", "d:1:2:A", "card", true),
		h.clickJSON("G1", "U1", "p:q:core-easy-1", "m1", false),
		h.submitJSON("G1", "C1", "U1", "p:q:core-easy-1", "m1", str("wrong on 3.13")),
		h.submitJSON("G1", "C1", "U1", "p:d:1:1", "card", nil),
		h.submitJSON("", "DM1", adaID, "g6u5rdg74m4g1.XkxFizDP:p:q:core-easy-1", "card", str("from a DM")),
		h.clickAt("", "DM1", adaID, "g6u5rdg74m4g1.XkxFizDP:x:start", "m2", false),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := h.post(string(body), nil)
		switch w.Code {
		case http.StatusOK:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("200 with %q", w.Body)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
