package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// hello is what a client sent first on a connection to the fake gateway.
type hello struct {
	Path  string // /gateway or /resume
	Query string
	Op    int // 2 identify, 6 resume
	D     map[string]any
}

type event struct {
	t string
	d []byte
}

// fakeGateway speaks Discord's gateway protocol over real websockets on
// the fake REST server: HELLO, IDENTIFY and READY, RESUME with replay and
// RESUMED, heartbeats and ACKs, dispatches with sequence numbers, op 7,
// op 9, close codes. A session's events are kept, so a resume replays what
// the client missed, as Discord does.
type fakeGateway struct {
	t        *testing.T
	up       websocket.Upgrader
	mu       sync.Mutex
	interval int // heartbeat_interval in HELLO, ms
	noACK    bool
	refuse   int // answer upgrades with this HTTP status
	// closeOnIdentify, when set, closes the connection with this code on
	// IDENTIFY (4004, 4014).
	closeOnIdentify int
	// invalidOnResume answers RESUME with op 9 (d false).
	invalidOnResume bool
	// overlap makes a resume replay this many events the client had
	// already read (a redelivery).
	overlap  int
	sessions int
	session  string
	events   []event // the session's dispatches; seq = index + 1
	conn     *websocket.Conn
	wmu      *sync.Mutex
	hellos   chan hello
	closes   chan int // close codes the client sent
	beats    chan any // heartbeat payloads (the seq, or nil)
	url      string
}

func newFakeGateway(t *testing.T, f *fakeDiscord) *fakeGateway {
	g := &fakeGateway{t: t, interval: 45000, hellos: make(chan hello, 20), closes: make(chan int, 20), beats: make(chan any, 1000)}
	g.url = "ws" + strings.TrimPrefix(f.srv.URL, "http")
	f.mu.Lock()
	f.gateway = g.url + "/gateway"
	f.restWS = func(w http.ResponseWriter, r *http.Request) bool {
		// discordgo adds a slash to the URL from /gateway/bot.
		if p := strings.TrimSuffix(r.URL.Path, "/"); p != "/gateway" && p != "/resume" {
			return false
		}
		g.serve(w, r)
		return true
	}
	f.mu.Unlock()
	return g
}

func (g *fakeGateway) set(fn func(g *fakeGateway)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(g)
}

func write(mu *sync.Mutex, c *websocket.Conn, v any) error {
	mu.Lock()
	defer mu.Unlock()
	return c.WriteJSON(v)
}

func (g *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	refuse, interval := g.refuse, g.interval
	g.mu.Unlock()
	if refuse != 0 {
		http.Error(w, "unavailable", refuse)
		return
	}
	c, err := g.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	wmu := &sync.Mutex{}
	write(wmu, c, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": interval}})
	var first struct {
		Op int            `json:"op"`
		D  map[string]any `json:"d"`
	}
	if c.ReadJSON(&first) != nil {
		return
	}
	// Reported once answered, so the test's next step finds the
	// connection live (or refused).
	ok := g.start(c, wmu, first.Op, first.D)
	g.hellos <- hello{Path: strings.TrimSuffix(r.URL.Path, "/"), Query: r.URL.RawQuery, Op: first.Op, D: first.D}
	if !ok {
		return
	}
	for {
		var f struct {
			Op int `json:"op"`
			D  any `json:"d"`
		}
		if err := c.ReadJSON(&f); err != nil {
			g.mu.Lock()
			if ce, ok := err.(*websocket.CloseError); ok {
				g.closes <- ce.Code
				if ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway {
					g.session = "" // Discord ends the session: no resume
				}
			}
			if g.conn == c {
				g.conn = nil
			}
			g.mu.Unlock()
			return
		}
		if f.Op == 1 {
			g.beats <- f.D
			g.mu.Lock()
			ack := !g.noACK
			g.mu.Unlock()
			if ack {
				write(wmu, c, map[string]any{"op": 11})
			}
		}
	}
}

// start answers IDENTIFY or RESUME; under the lock, so a dispatch made
// meanwhile is either replayed or sent on the new connection, never both.
func (g *fakeGateway) start(c *websocket.Conn, wmu *sync.Mutex, op int, d map[string]any) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case op == 2 && g.closeOnIdentify != 0:
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(g.closeOnIdentify, "refused"), time.Now().Add(time.Second))
		return false
	case op == 2:
		g.sessions++
		g.session = fmt.Sprintf("session-%d", g.sessions)
		g.events = nil
		ready, _ := json.Marshal(map[string]any{"v": 10, "session_id": g.session, "resume_gateway_url": g.url + "/resume",
			"user": map[string]any{"id": botUserID, "username": "asyncquiz", "bot": true}, "guilds": []any{},
			"application": map[string]any{"id": "123456", "flags": 0}})
		g.events = append(g.events, event{"READY", ready})
		write(wmu, c, map[string]any{"op": 0, "t": "READY", "s": 1, "d": json.RawMessage(ready)})
	case op == 6 && (g.invalidOnResume || d["session_id"] != g.session || d["token"] != "test-token"):
		write(wmu, c, map[string]any{"op": 9, "d": false})
		return false
	case op == 6:
		seq, _ := d["seq"].(float64)
		from := max(int(seq)-g.overlap, 1) // events[0] is READY, never replayed
		for i := from; i < len(g.events); i++ {
			if e := g.events[i]; e.t != "RESUMED" {
				write(wmu, c, map[string]any{"op": 0, "t": e.t, "s": i + 1, "d": json.RawMessage(e.d)})
			}
		}
		g.events = append(g.events, event{"RESUMED", []byte(`{}`)})
		write(wmu, c, map[string]any{"op": 0, "t": "RESUMED", "s": len(g.events), "d": json.RawMessage(`{}`)})
	default:
		return false
	}
	g.conn, g.wmu = c, wmu
	return true
}

// dispatch sends an INTERACTION_CREATE in the session: on the live
// connection, or kept for the resume when there is none.
func (g *fakeGateway) dispatch(body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, event{"INTERACTION_CREATE", []byte(body)})
	if g.conn != nil {
		write(g.wmu, g.conn, map[string]any{"op": 0, "t": "INTERACTION_CREATE", "s": len(g.events), "d": json.RawMessage(body)})
	}
}

// op sends an opcode (7, 9) on the live connection.
func (g *fakeGateway) op(op int, d any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		write(g.wmu, g.conn, map[string]any{"op": op, "d": d})
	}
}

// drop cuts the live connection with no close frame, as a network does.
func (g *fakeGateway) drop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		g.conn.UnderlyingConn().Close()
		g.conn = nil
	}
}

func (g *fakeGateway) nextHello(t *testing.T) hello {
	t.Helper()
	select {
	case h := <-g.hellos:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not connect")
		return hello{}
	}
}

func (g *fakeGateway) nextClose(t *testing.T) int {
	t.Helper()
	select {
	case c := <-g.closes:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the client sent no close frame")
		return 0
	}
}

// runGateway runs the adapter's gateway client against g until the test
// ends, with short waits; the returned channel gets RunGateway's result.
func (h *harness) runGateway(t *testing.T) <-chan error {
	h.a.gw = gatewayTiming{
		reconnect:      func(int) time.Duration { return 5 * time.Millisecond },
		invalidSession: func() time.Duration { return 5 * time.Millisecond },
		handshake:      5 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done, finished := make(chan error, 1), make(chan struct{})
	go func() {
		done <- h.a.RunGateway(ctx)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Error("RunGateway did not stop")
		}
	})
	return done
}
