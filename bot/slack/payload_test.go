package slack

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Issue 13.5: a click with an empty user id (or channel), an oversized id,
// a field of the wrong type or no action is refused with 400 and nothing
// recorded; before, an empty user id was recorded.
func TestAdapter_RefusesMalformedClicks(t *testing.T) {
	long := strings.Repeat("U", maxID+1)
	tests := map[string]func(p string) string{
		"empty user id": func(p string) string { return strings.Replace(p, `"id":"U0CA5"`, `"id":""`, 1) },
		"no user":       func(p string) string { return strings.Replace(p, `"user":{`, `"nobody":{`, 1) },
		"empty channel": func(p string) string {
			return strings.NewReplacer(`"id":"C1"`, `"id":""`, `"channel_id":"C1"`, `"channel_id":""`).Replace(p)
		},
		"oversized user id": func(p string) string { return strings.Replace(p, `"id":"U0CA5"`, `"id":"`+long+`"`, 1) },
		"user id of a number": func(p string) string {
			return strings.Replace(p, `"id":"U0CA5"`, `"id":12345`, 1)
		},
		"id with a NUL":      func(p string) string { return strings.Replace(p, `"id":"U0CA5"`, `"id":"U0\u0000CA5"`, 1) },
		"no actions":         func(p string) string { return p[:strings.Index(p, `"actions":`)] + `"actions":[]}` },
		"actions not a list": func(p string) string { return p[:strings.Index(p, `"actions":`)] + `"actions":{"value":1}}` },
		"no response_url":    func(p string) string { return strings.Replace(p, `"response_url":"`, `"response_url":"x`, 1) },
		"message_ts with spaces": func(p string) string {
			return strings.Replace(p, `"message_ts":"1700000000.000001"`, `"message_ts":"17 00"`, 1)
		},
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.command("U1", "start 1m")
			btn := buttons(t, h.fake.Posts()[0].Get("blocks"))
			p := mutate(payloadShape(t, "standard.json", btn["B"], "1700000000.000001", h.fake.srv.URL+"/response/x"))
			w := h.serve("/slack/interactions", url.Values{"payload": {p}}.Encode(), nil)
			if w.Code != 400 {
				t.Fatalf("status %d, want 400", w.Code)
			}
			h.a.Wait(t.Context())
			if n, _ := h.store.AnswerCount(t.Context(), 1); n != 0 {
				t.Fatalf("%d answers recorded", n)
			}
			if len(h.fake.responses) != 0 {
				t.Fatal("a refused click got a reply")
			}
		})
	}
}

// Names are stored one line, without control or bidi characters, bounded.
func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"ada":                             "ada",
		"  ada\n\tlovelace ":              "ada lovelace",
		"evil\u202Egnp.exe":               "evilgnp.exe",
		"nul\x00byte":                     "nulbyte",
		"\u200b\u200d":                    "U1",
		strings.Repeat("é", 300):          strings.Repeat("é", maxName),
		"bad\xffutf8":                     "badutf8",
		"*bold* <!channel> <@U1|x>":       "*bold* <!channel> <@U1|x>", // stored as written; escaped when shown
		"line\r\nbreak\u2028sep":          "line break sep",
		"\u2066isolate\u2069 marks\u200f": "isolate marks",
	} {
		if got := cleanName(in, "U1"); got != want {
			t.Errorf("cleanName(%q)=%q, want %q", in, got, want)
		}
	}
}

// FuzzDecodeInteraction: no payload panics the decoder, and whatever it
// accepts is within bounds (seed corpus: testdata/fuzz and every real
// payload shape).
func FuzzDecodeInteraction(f *testing.F) {
	shapes, _ := filepath.Glob("testdata/payloads/*.json")
	for _, file := range shapes {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.NewReplacer("{{VALUE}}", "r:1:B", "{{TS}}", "1700000000.000001", "{{RESPONSE_URL}}", "https://hooks.slack.com/actions/T1/1/x").Replace(string(data)))
	}
	f.Fuzz(func(t *testing.T, payload string) {
		c, ok, err := decodeInteraction([]byte(payload))
		if err != nil || !ok {
			if ok {
				t.Fatal("ok with an error")
			}
			return
		}
		if !validID(c.user) || !validID(c.channel) || len(c.value) > maxValue || !validResponseURL(c.responseURL) ||
			len(c.triggerID) > maxTriggerID || len(c.messageTS) > maxID {
			t.Fatalf("accepted out of bounds: %+v", c)
		}
		if !utf8.ValidString(c.userName) || utf8.RuneCountInString(c.userName) > maxName || strings.ContainsAny(c.userName, "\x00\n\r") {
			t.Fatalf("name not clean: %q", c.userName)
		}
	})
}

// FuzzCommandJSON: the Socket Mode slash command decoder never panics and
// accepts only bounded commands.
func FuzzCommandJSON(f *testing.F) {
	f.Add(`{"team_id":"T1","channel_id":"C1","user_id":"U1","user_name":"ada","command":"/asyncquiz","text":"start 5m","response_url":"https://hooks.slack.com/commands/T1/1/x","trigger_id":"1.2.3"}`)
	f.Add(`{"channel_id":1,"user_id":null}`)
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := commandJSON([]byte(payload))
		if err != nil {
			return
		}
		if !validID(c.user) || !validID(c.channel) || len(c.text) > maxText || !validResponseURL(c.responseURL) {
			t.Fatalf("accepted out of bounds: %+v", c)
		}
	})
}

// FuzzDecodeSubmission: the view_submission decoder never panics, and what
// it accepts is within bounds (seed corpus: testdata/fuzz and the real
// payload shape).
func FuzzDecodeSubmission(f *testing.F) {
	data, err := os.ReadFile("testdata/payloads/view-submission.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.ReplaceAll(string(data), "{{VALUE}}", "p:q:core-easy-1"))
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"asyncquiz_form","private_metadata":"{\"a\":\"p:d:1:1\"}","state":{"values":{"form":{"text":{"value":null}}}}}}`)
	f.Fuzz(func(t *testing.T, payload string) {
		s, ok, err := decodeSubmission([]byte(payload))
		if err != nil || !ok {
			if ok {
				t.Fatal("ok with an error")
			}
			return
		}
		if !validID(s.user) || (s.channel != "" && !validID(s.channel)) || s.action == "" || len(s.action) > maxValue ||
			len(s.title) > maxValue || len(s.text) > maxText || s.delivery == "" || len(s.delivery) > max(maxTriggerID, len("view::")+2*maxID) {
			t.Fatalf("accepted out of bounds: %+v", s)
		}
		if !utf8.ValidString(s.userName) || utf8.RuneCountInString(s.userName) > maxName || strings.ContainsAny(s.userName, "\x00\n\r") {
			t.Fatalf("name not clean: %q", s.userName)
		}
		if _, err := submitResponse(bot.Reply{Message: bot.Message{Text: s.text, Title: s.title}}, s.title); err != nil {
			t.Fatalf("reply of an accepted submission: %v", err)
		}
	})
}

// Submissions of views this app did not open are acknowledged and
// ignored; malformed ones of its own are refused.
func TestAdapter_RefusesMalformedSubmissions(t *testing.T) {
	good := func() map[string]any {
		opened := map[string]any{"view": map[string]any{"callback_id": formCallback, "private_metadata": `{"a":"p:q:core-easy-1","c":"C1"}`}}
		return submissionPayload("U2", "13345224609.738474920.m1", opened, str("x"))
	}
	view := func(p map[string]any) map[string]any { return p["view"].(map[string]any) }
	tests := map[string]struct {
		mutate func(p map[string]any)
		status int
	}{
		"another app's view": {func(p map[string]any) { view(p)["callback_id"] = "something_else" }, 200},
		"empty user":         {func(p map[string]any) { p["user"] = map[string]any{"id": ""} }, 400},
		"metadata not JSON":  {func(p map[string]any) { view(p)["private_metadata"] = "p:q:x" }, 400},
		"no action":          {func(p map[string]any) { view(p)["private_metadata"] = `{"c":"C1"}` }, 400},
		"bad channel":        {func(p map[string]any) { view(p)["private_metadata"] = `{"a":"p:q:x","c":"C 1"}` }, 400},
		"value not a string": {func(p map[string]any) {
			view(p)["state"] = map[string]any{"values": map[string]any{"form": map[string]any{"text": map[string]any{"value": 5}}}}
		}, 400},
		"huge value": {func(p map[string]any) {
			view(p)["state"] = map[string]any{"values": map[string]any{"form": map[string]any{"text": map[string]any{"value": strings.Repeat("x", maxText+1)}}}}
		}, 400},
		"no view id":       {func(p map[string]any) { view(p)["id"] = "" }, 400},
		"view of a number": {func(p map[string]any) { p["view"] = 7 }, 400},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			p := good()
			tc.mutate(p)
			w := h.serve("/slack/interactions", formBody(p), nil)
			if w.Code != tc.status || (tc.status == 200 && w.Body.Len() != 0) {
				t.Fatalf("status %d %q, want %d", w.Code, w.Body, tc.status)
			}
			if n := h.db.Count(t, &quiz.Report{}); n != 0 {
				t.Fatalf("%d reports written", n)
			}
		})
	}
}

// The view_submission shape of Slack's documentation (testdata/payloads,
// also a fuzz seed), signed: the reason is stored as written.
func TestAdapter_SubmissionPayloadShape(t *testing.T) {
	h := newHarness(t)
	_, qid := revealedRound(t, h)
	p := payloadShape(t, "view-submission.json", "p:q:"+qid, "", "")
	w := h.serve("/slack/interactions", url.Values{"payload": {p}}.Encode(), nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"response_action":"update"`) {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	rs := reports(t, h)
	if len(rs) != 1 || rs[0].UserID != "U0CA5" || rs[0].QuestionID != qid || rs[0].Reason != "The answer looks wrong on 3.13 <!channel> ```" {
		t.Fatalf("reports %+v", rs)
	}
}
