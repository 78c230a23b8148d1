package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Requests that are not signed by Slack, or are malformed, are refused
// before anything is parsed or written.
func TestAdapter_RefusesBadRequests(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		body       func(h *harness) string
		mutate     func(r *http.Request)
		wantStatus int
	}{
		{"forged signature", "/slack/commands", func(h *harness) string { return h.commandBody("U1", "start 1m") },
			func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32)) }, 401},
		{"other secret", "/slack/commands", func(h *harness) string { return h.commandBody("U1", "start 1m") },
			nil, 401}, // re-signed below with another secret
		{"stale timestamp", "/slack/commands", func(h *harness) string { return h.commandBody("U1", "start 1m") },
			nil, 401},
		{"missing headers", "/slack/interactions", func(h *harness) string { return h.clickBody("T1", "U1", "r:1:A", false) },
			func(r *http.Request) { r.Header.Del("X-Slack-Signature"); r.Header.Del("X-Slack-Request-Timestamp") }, 401},
		{"malformed payload", "/slack/interactions", func(h *harness) string { return "payload=%7Bnot+json" }, nil, 400},
		{"no action", "/slack/interactions", func(h *harness) string { return `payload={"type":"block_actions","actions":[]}` }, nil, 400},
		{"missing command fields", "/slack/commands", func(h *harness) string { return "text=start" }, nil, 400},
		{"oversize body", "/slack/commands", func(h *harness) string { return "text=" + strings.Repeat("a", 70<<10) }, nil, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body := tc.body(h)
			mutate := tc.mutate
			switch tc.name {
			case "other secret":
				mutate = func(r *http.Request) { sign(r, body, time.Now(), "not-the-secret") }
			case "stale timestamp":
				mutate = func(r *http.Request) { sign(r, body, time.Now().Add(-6*time.Minute), testSecret) }
			}
			w := h.serve(tc.path, body, mutate)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			if err := h.a.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := countRounds(t, h.db); n != 0 {
				t.Fatalf("%d rounds written", n)
			}
			if len(h.fake.Posts()) != 0 || len(h.fake.responses) != 0 {
				t.Fatalf("refused request reached Slack: %d posts, %d replies", len(h.fake.Posts()), len(h.fake.responses))
			}
		})
	}
}
