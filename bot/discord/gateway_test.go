package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// callbacks returns the interaction callbacks the fake received, by
// interaction id.
func (f *fakeDiscord) callbacks() map[string][]call {
	out := map[string][]call{}
	for _, c := range f.Calls("POST", "/interactions/") {
		id := strings.Split(strings.TrimPrefix(c.Path, "/interactions/"), "/")[0]
		out[id] = append(out[id], c)
	}
	return out
}

func interactionID(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// A whole round over the gateway, with the connection cut in the middle
// of the clicks and later replaced on Discord's request (op 7): both times
// the client resumes at resume_gateway_url, the clicks sent meanwhile are
// replayed (some twice), and every click is recorded exactly once and
// answered exactly once.
func TestGateway_RoundWithResumesRecordsEveryClickOnce(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	gw.set(func(g *fakeGateway) { g.overlap = 2 })
	h.runGateway(t)
	if first := gw.nextHello(t); first.Path != "/gateway" || first.Op != 2 {
		t.Fatalf("first connection %+v, want IDENTIFY at /gateway", first)
	}

	start := h.commandJSON("U0", 0, "start", map[string]any{"duration": "1m"})
	gw.dispatch(start)
	wantContains(t, "start", h.fake.wait(t, "PATCH", "/webhooks/").Raw, "Round 1 started")
	msg := h.fake.lastMessage("C1")
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)

	const clicks = 30
	var sent []string
	click := func(n int) {
		body := h.clickJSON("G1", fmt.Sprintf("U%d", n), ids["B"], msg, false)
		sent = append(sent, interactionID(t, body))
		gw.dispatch(body)
	}
	for n := 1; n <= 10; n++ {
		click(n)
	}
	gw.drop() // the network fails; Discord keeps the session
	for n := 11; n <= 20; n++ {
		click(n) // sent while the client is away: replayed on resume
	}
	if re := gw.nextHello(t); re.Path != "/resume" || re.Op != 6 || re.D["session_id"] != "session-1" || re.D["seq"].(float64) < 1 || !strings.Contains(re.Query, "v=10") {
		t.Fatalf("after the drop: %+v, want RESUME of session-1 at resume_gateway_url", re)
	}
	for n := 21; n <= 25; n++ {
		click(n)
	}
	quiztest.Eventually(t, "the first 25 answers", func() bool { return len(h.fake.callbacks()) >= 26 })
	gw.op(7, nil)
	if code := gw.nextClose(t); code == 1000 || code == 1001 {
		t.Fatalf("op 7: the client closed with %d, which ends the session", code)
	}
	for n := 26; n <= clicks; n++ {
		click(n)
	}
	if re := gw.nextHello(t); re.Path != "/resume" || re.Op != 6 {
		t.Fatalf("after op 7: %+v, want a RESUME", re)
	}

	quiztest.Eventually(t, "every click answered", func() bool { return len(h.fake.callbacks()) == clicks+1 })
	h.a.Wait(context.Background())
	cbs := h.fake.callbacks()
	for _, id := range sent {
		if len(cbs[id]) != 1 {
			t.Fatalf("click %s answered %d times, want once", id, len(cbs[id]))
		}
		wantContains(t, "click reply", cbs[id][0].Raw, "Locked in B")
	}
	var answers int64
	h.db.Table("answers").Count(&answers)
	if answers != clicks {
		t.Fatalf("%d answers recorded, want %d", answers, clicks)
	}
	h.clock.Add(time.Minute)
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	wantContains(t, "reveal", h.fake.wait(t, "PATCH", "/channels/C1/messages/"+msg).Raw, fmt.Sprintf("%d of %d got it right", clicks, clicks))
}

// IDENTIFY asks for no intents: interactions need none, and any would
// bring every guild's messages, typing and voice events.
func TestGateway_IdentifiesWithNoIntents(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	h.runGateway(t)
	id := gw.nextHello(t)
	if id.Op != 2 || id.D["intents"] != float64(0) || id.D["token"] != "test-token" {
		t.Fatalf("IDENTIFY %+v, want intents 0 and the bare token", id.D)
	}
	if p, _ := id.D["properties"].(map[string]any); p["browser"] != "asyncquiz" {
		t.Fatalf("IDENTIFY properties %v", id.D["properties"])
	}
}

// Heartbeats carry the last sequence number and keep coming while ACKed.
func TestGateway_Heartbeats(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	gw.set(func(g *fakeGateway) { g.interval = 20 })
	h.runGateway(t)
	gw.nextHello(t)
	for range 3 {
		select {
		case d := <-gw.beats:
			if d != float64(1) { // READY was seq 1
				t.Fatalf("heartbeat d=%v, want 1", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no heartbeat")
		}
	}
	select {
	case <-gw.hellos:
		t.Fatal("an ACKed connection was replaced")
	default:
	}
}

// A zombie connection (heartbeats not ACKed) is closed with a resumable
// code, never 1000, and the session resumes.
func TestGateway_ZombieClosedResumable(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	gw.set(func(g *fakeGateway) { g.interval = 20; g.noACK = true })
	h.runGateway(t)
	gw.nextHello(t)
	if code := gw.nextClose(t); code == 1000 || code == 1001 {
		t.Fatalf("zombie closed with %d, which ends the session", code)
	}
	gw.set(func(g *fakeGateway) { g.noACK = false })
	if re := gw.nextHello(t); re.Path != "/resume" || re.Op != 6 || re.D["session_id"] != "session-1" {
		t.Fatalf("after the zombie: %+v, want a RESUME of session-1", re)
	}
}

// Op 9 with d false: the session is gone, so the client identifies anew at
// the gateway URL; with d true it resumes.
func TestGateway_InvalidSession(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	h.runGateway(t)
	gw.nextHello(t)
	gw.set(func(g *fakeGateway) { g.invalidOnResume = true })
	gw.drop()
	if re := gw.nextHello(t); re.Op != 6 {
		t.Fatalf("after the drop: op %d, want a RESUME", re.Op)
	}
	gw.set(func(g *fakeGateway) { g.invalidOnResume = false })
	if again := gw.nextHello(t); again.Path != "/gateway" || again.Op != 2 {
		t.Fatalf("after op 9 false: %+v, want IDENTIFY at /gateway", again)
	}
	gw.op(9, true)
	if re := gw.nextHello(t); re.Op != 6 || re.D["session_id"] != "session-2" {
		t.Fatalf("after op 9 true: %+v, want a RESUME of session-2", re)
	}
}

// The transport is down until READY, up after it, down with the real
// cause while the gateway refuses connections, and up again after.
func TestGateway_TransportHealth(t *testing.T) {
	h := newHarness(t)
	gw := newFakeGateway(t, h.fake)
	var skew atomic.Int64
	tr := h.bot.Transports()
	tr.SetClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	// Ready as seen after the grace period: each look moves the clock on
	// past it, so any change is older than the grace at the next look.
	late := func() error {
		skew.Add(int64(bot.TransportGrace + time.Second))
		return tr.Ready()
	}
	gw.set(func(g *fakeGateway) { g.refuse = 503 })
	h.runGateway(t)
	quiztest.Eventually(t, "not ready while the gateway refuses", func() bool {
		err := late()
		return err != nil && strings.Contains(err.Error(), "503")
	})
	gw.set(func(g *fakeGateway) { g.refuse = 0 })
	quiztest.Eventually(t, "ready after READY", func() bool { return late() == nil })
	gw.set(func(g *fakeGateway) { g.refuse = 502 })
	gw.drop()
	quiztest.Eventually(t, "down with the cause", func() bool {
		err := late()
		return err != nil && strings.Contains(err.Error(), "502")
	})
	gw.set(func(g *fakeGateway) { g.refuse = 0 })
	quiztest.Eventually(t, "ready after the resume", func() bool { return late() == nil })
}

// A refused token or refused intents stop RunGateway with an error naming
// DISCORD_BOT_TOKEN, instead of reconnecting forever.
func TestGateway_FatalCloseStops(t *testing.T) {
	for _, code := range []int{4004, 4014} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			h := newHarness(t)
			gw := newFakeGateway(t, h.fake)
			gw.set(func(g *fakeGateway) { g.closeOnIdentify = code })
			done := h.runGateway(t)
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") || !strings.Contains(err.Error(), fmt.Sprint(code)) {
					t.Fatalf("RunGateway=%v, want an error naming DISCORD_BOT_TOKEN and %d", err, code)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("RunGateway kept reconnecting")
			}
		})
	}
}

// A token refused by GET /gateway/bot stops RunGateway too.
func TestGateway_RefusedTokenOverREST(t *testing.T) {
	h := newHarness(t)
	newFakeGateway(t, h.fake)
	h.fake.inject(fault{Method: "GET", Prefix: "/gateway/bot", Status: 401, Body: `{"message":"401: Unauthorized","code":0}`, Times: 1})
	done := h.runGateway(t)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
			t.Fatalf("RunGateway=%v, want an error naming DISCORD_BOT_TOKEN", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunGateway kept retrying")
	}
}

// An untrusted certificate is the cause the transport reports, not a
// bare "connection error".
func TestGateway_TLSErrorIsTheCause(t *testing.T) {
	h := newHarness(t)
	newFakeGateway(t, h.fake)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	h.fake.mu.Lock()
	h.fake.gateway = "wss" + strings.TrimPrefix(tlsSrv.URL, "https")
	h.fake.mu.Unlock()
	var skew atomic.Int64
	tr := h.bot.Transports()
	tr.SetClock(func() time.Time {
		return time.Now().Add(time.Duration(skew.Add(int64(bot.TransportGrace + time.Second))))
	})
	h.runGateway(t)
	quiztest.Eventually(t, "the certificate error as the cause", func() bool {
		err := tr.Ready()
		return err != nil && strings.Contains(err.Error(), "certificate")
	})
}
