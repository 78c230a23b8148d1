package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A whole round over Socket Mode, with Slack asking for a reconnect in
// the middle of the clicks: envelopes keep arriving on the old connection
// until the new one said hello, each is acked on its own connection, a
// click is acked only once its answer is committed, and a redelivered
// click changes nothing. Every click is recorded exactly once.
// (Issue 12.3: before, the old socket was torn down on disconnect and the
// clicks sent on it were never acked or handled.)
func TestSocketMode_RoundWithForcedReconnect(t *testing.T) {
	h := newHarness(t)
	errc := h.runSocket()
	sm := h.fake.sm
	c1 := sm.next(t)

	c1.envelope("slash_commands", "env-start", h.slashPayload("U0", "start 1m"))
	c1.waitAck(t, "env-start")
	wantContains(t, "start reply", replyText(h.reply()), "Round 1 started")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))

	answered := 0
	clickOn := func(c *fakeConn, user string) map[string]any {
		t.Helper()
		id := "env-" + user
		c.envelope("interactive", id, h.clickPayload(user, btn["B"], "trigger-"+user))
		c.waitAck(t, id)
		answered++
		// The ack means committed.
		if n, err := h.store.AnswerCount(context.Background(), 1); err != nil || n != answered {
			t.Fatalf("after the ack of %s: %d answers stored (%v), want %d", user, n, err, answered)
		}
		return h.clickPayload(user, btn["B"], "trigger-"+user)
	}
	for i := 1; i <= 4; i++ {
		clickOn(c1, fmt.Sprintf("U%d", i))
		wantContains(t, "click reply", replyText(h.reply()), "Locked in B")
	}

	sm.set(func(sm *socketFake) { sm.holdHello = true })
	c1.disconnect("refresh_requested")
	c2 := sm.dialedConn(t, 2) // open, not yet said hello
	for i := 5; i <= 7; i++ {
		clickOn(c1, fmt.Sprintf("U%d", i)) // the old connection still serves
		wantContains(t, "click reply", replyText(h.reply()), "Locked in B")
	}
	c2.hello()
	if got := sm.next(t); got != c2 {
		t.Fatalf("hello from connection %d, want 2", got.id)
	}
	for i := 8; i <= 10; i++ {
		clickOn(c2, fmt.Sprintf("U%d", i))
		wantContains(t, "click reply", replyText(h.reply()), "Locked in B")
	}
	// Slack redelivers U8's click (same trigger_id): acked, nothing recorded, no reply.
	c2.envelope("interactive", "env-U8-again", h.clickPayload("U8", btn["A"], "trigger-U8"))
	c2.waitAck(t, "env-U8-again")
	c1.closeNormally() // Slack closes the old connection
	if n, _ := h.store.AnswerCount(context.Background(), 1); n != 10 {
		t.Fatalf("answers=%d, want 10", n)
	}
	h.a.Wait(t.Context())
	if n := len(h.fake.responses); n != 0 {
		t.Fatalf("%d extra replies; the redelivered click must get none", n)
	}
	for _, c := range []*fakeConn{c1, c2} {
		if n := len(c.acks); n != 0 {
			t.Fatalf("connection %d: %d unexpected acks", c.id, n)
		}
	}
	if lines := h.logs.Lines("Transport down"); len(lines) != 0 {
		t.Fatalf("a planned reconnect reported the transport down: %v", lines)
	}
	select {
	case err := <-errc:
		t.Fatalf("RunSocketMode ended: %v", err)
	default:
	}
}

// Every disconnect reason: warning and refresh_requested open a new
// connection and keep the old until it said hello (then close the old);
// link_disabled (Socket Mode turned off) ends Socket Mode with an error
// that says what to do.
func TestSocketMode_DisconnectReasons(t *testing.T) {
	for _, reason := range []string{"warning", "refresh_requested", "too_many_websockets", "some_future_reason"} {
		t.Run(reason, func(t *testing.T) {
			h := newHarness(t)
			h.runSocket()
			c1 := h.fake.sm.next(t)
			c1.disconnect(reason)
			c2 := h.fake.sm.next(t)
			c2.envelope("events_api", "env-ev", map[string]any{"type": "event_callback"})
			c2.waitAck(t, "env-ev")
			select {
			case <-c1.closed: // our client closed it after the drain
			case <-time.After(5 * time.Second):
				t.Fatalf("old connection never closed")
			}
			if lines := h.logs.Lines("Transport down"); len(lines) != 0 {
				t.Fatalf("transport reported down: %v", lines)
			}
		})
	}
	t.Run("link_disabled", func(t *testing.T) {
		h := newHarness(t)
		errc := h.runSocket()
		h.fake.sm.next(t).disconnect("link_disabled")
		select {
		case err := <-errc:
			if err == nil || !strings.Contains(err.Error(), "link_disabled") || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
				t.Fatalf("err=%v; want link_disabled and what to do", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Socket Mode kept running with Socket Mode turned off")
		}
	})
}
