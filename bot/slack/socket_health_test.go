package slack

import (
	"bytes"
	"context"
	stdlog "log"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// Issue 12.2: a dropped TCP connection (no close frame) marks the
// transport down with its cause, /readyz goes not ready once the grace
// has passed, and it reconnects with backoff and is ready again.
func TestSocketMode_DroppedConnectionReconnects(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	clock := func() time.Time { <-mu; defer func() { mu <- struct{}{} }(); return now }
	advance := func(d time.Duration) { <-mu; now = now.Add(d); mu <- struct{}{} }
	h.bot.Transports().SetClock(clock)
	h.runSocket()
	c1 := h.fake.sm.next(t)
	if err := h.bot.Transports().Ready(); err != nil {
		t.Fatalf("not ready while connected: %v", err)
	}
	h.fake.sm.set(func(sm *socketFake) { sm.openFail = 1 << 30 }) // Slack unreachable for now
	c1.drop()
	quiztest.Eventually(t, "the transport down", func() bool { return len(h.logs.Lines("Transport down", "HTTP 503")) > 0 })
	advance(30 * time.Second)
	if err := h.bot.Transports().Ready(); err == nil {
		t.Fatal("ready 30 s after Socket Mode went down")
	}
	if n := len(h.logs.Lines("Transport down")); n > 2 {
		t.Fatalf("%d down lines for one outage; each change is logged once", n)
	}
	h.fake.sm.set(func(sm *socketFake) { sm.openFail = 0 })
	h.fake.sm.next(t)
	quiztest.Eventually(t, "ready again", func() bool { return h.bot.Transports().Ready() == nil })
}

// A connection whose peer goes silent (no FIN, no pongs) is found dead by
// the ping deadline and replaced.
func TestSocketMode_SilentConnectionIsReplaced(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	c1 := h.fake.sm.next(t)
	c1.stall()
	c2 := h.fake.sm.next(t)
	if c2 == c1 {
		t.Fatal("no new connection")
	}
	if lines := h.logs.Lines("Socket Mode connection lost", "timeout"); len(lines) == 0 {
		t.Fatalf("no log line with the cause; logs:\n%s", strings.Join(h.logs.Lines("Socket Mode"), "\n"))
	}
}

// Issue 12.2: a token Slack refuses stops Socket Mode with one error
// naming the variable, instead of retrying forever; the transport's last
// state says why.
func TestSocketMode_UnrecoverableAuthErrors(t *testing.T) {
	for _, code := range []string{"missing_scope", "invalid_auth", "not_authed", "account_inactive", "token_revoked"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t)
			h.fake.sm.set(func(sm *socketFake) { sm.openError = code })
			errc := h.runSocket()
			select {
			case err := <-errc:
				if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") || !strings.Contains(err.Error(), code) {
					t.Fatalf("err=%v; want SLACK_APP_TOKEN and %s", err, code)
				}
				if code == "missing_scope" && !strings.Contains(err.Error(), "connections:write") {
					t.Fatalf("err=%v does not name the missing scope", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Socket Mode retried an unusable token")
			}
			h.fake.sm.set(func(sm *socketFake) {
				if sm.opens != 1 {
					t.Errorf("apps.connections.open called %d times, want 1", sm.opens)
				}
			})
			if n := len(h.logs.Lines("Transport down", code)); n != 1 {
				t.Fatalf("%d down lines naming %s, want 1", n, code)
			}
		})
	}
	t.Run("bot token", func(t *testing.T) {
		h := newHarness(t)
		h.fake.set(func(f *fakeSlack) { f.auth = "invalid_auth" })
		select {
		case err := <-h.runSocket():
			if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") || !strings.Contains(err.Error(), "invalid_auth") {
				t.Fatalf("err=%v; want SLACK_BOT_TOKEN and invalid_auth", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Socket Mode ran with a refused bot token")
		}
	})
}

// Retryable failures are retried with backoff, the cause logged once per
// change (not once per attempt), then up.
func TestSocketMode_RetryableFailureLoggedOnce(t *testing.T) {
	h := newHarness(t)
	h.fake.sm.set(func(sm *socketFake) { sm.openFail = 4 })
	h.runSocket()
	h.fake.sm.next(t)
	h.fake.sm.set(func(sm *socketFake) {
		if sm.opens != 5 {
			t.Errorf("opens=%d, want 4 failures and a success", sm.opens)
		}
	})
	if lines := h.logs.Lines("Transport down", "apps.connections.open: HTTP 503 Service Unavailable"); len(lines) != 1 {
		t.Fatalf("down lines with the cause: %v; want exactly 1", lines)
	}
	quiztest.Eventually(t, "up", func() bool { return len(h.logs.Lines("Transport connected")) == 1 })
}

// Envelopes the app does not use are acked and ignored; pings are
// answered and sent.
func TestSocketMode_OtherEnvelopesAndPings(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	c := h.fake.sm.next(t)
	c.envelope("events_api", "e1", map[string]any{"type": "event_callback", "event": map[string]any{"type": "app_mention"}})
	c.waitAck(t, "e1")
	c.envelope("interactive", "e2", map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1"}})
	c.waitAck(t, "e2")
	c.envelope("interactive", "e3", map[string]any{"type": "block_actions", "user": map[string]any{"id": ""}, "actions": []any{map[string]any{"value": "r:1:A"}}})
	c.waitAck(t, "e3")
	c.envelope("slash_commands", "e4", map[string]any{"text": "start"})
	c.waitAck(t, "e4")
	c.envelope("some_new_type", "e5", nil)
	c.waitAck(t, "e5")
	if n := countRounds(t, h.db); n != 0 {
		t.Fatalf("%d rounds from ignored envelopes", n)
	}
	c.pingAndWaitPong(t)
	quiztest.Eventually(t, "a ping from the client", func() bool { return c.pingsReceived() > 0 })
}

// countWriter counts the lines written to it.
type countWriter struct{ n atomic.Int32 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n.Add(int32(bytes.Count(p, []byte("\n"))))
	return len(p), nil
}

// Issue 12.2: an untrusted certificate (a TLS-intercepting proxy, a wrong
// SLACK_API_URL) is retried, and the transport is down with the TLS cause,
// logged once however many attempts fail; before, the log said only
// connection_error.
func TestSocketMode_TLSFailureHasItsCause(t *testing.T) {
	h := newHarness(t)
	handshakes := &countWriter{}
	srv := httptest.NewUnstartedServer(h.fake.srv.Config.Handler)
	srv.Config.ErrorLog = stdlog.New(handshakes, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	a := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: srv.URL + "/api/", Log: slog.New(slog.NewTextHandler(h.logs, nil))}, h.bot)
	a.socket = h.a.socket
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunSocketMode(ctx) }()
	quiztest.Eventually(t, "several attempts", func() bool { return handshakes.n.Load() >= 4 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunSocketMode: %v; a TLS failure is retried, not fatal", err)
	}
	lines := h.logs.Lines("Transport down")
	if len(lines) != 1 || !strings.Contains(lines[0], "x509") {
		t.Fatalf("down lines %v; want one with the certificate error", lines)
	}
	t.Logf("logged once: %s", lines[0])
}
