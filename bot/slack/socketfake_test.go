package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// socketFake is Slack's side of Socket Mode: apps.connections.open
// (app token as a bearer token) hands out a ws:// URL on the same server,
// whose connections say hello, carry envelopes, read acks and answer pings
// (gorilla's default pong), as a real websocket on loopback.
type socketFake struct {
	t         *testing.T
	mu        sync.Mutex
	opens     int
	openError string // apps.connections.open answers ok:false with it
	openFail  int    // answer this many opens with HTTP 503 first
	holdHello bool   // new connections wait for fakeConn.hello()
	conns     []*fakeConn
	connected chan *fakeConn
}

// fakeConn is one connection as the fake sees it.
type fakeConn struct {
	id     int
	ws     *websocket.Conn
	wmu    sync.Mutex
	acks   chan string // envelope ids acked on this connection
	pmu    sync.Mutex
	bodies map[string]json.RawMessage // envelope id -> the ack's payload
	closed chan struct{}
	helloC chan struct{}
	once   sync.Once
	pongs  chan struct{}
	pings  atomic.Int32
	silent atomic.Bool // answer no pings, as a path that went dead
}

func newSocketFake(t *testing.T, f *fakeSlack, mux *http.ServeMux) *socketFake {
	sm := &socketFake{t: t, connected: make(chan *fakeConn, 16)}
	mux.HandleFunc("POST /api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		sm.mu.Lock()
		defer sm.mu.Unlock()
		sm.opens++
		switch {
		case r.Header.Get("Authorization") != "Bearer xapp-test":
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		case sm.openFail > 0:
			sm.openFail--
			w.WriteHeader(http.StatusServiceUnavailable)
		case sm.openError == "missing_scope":
			io.WriteString(w, `{"ok":false,"error":"missing_scope","needed":"connections:write","provided":"authorizations:read"}`)
		case sm.openError != "":
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, sm.openError)
		default:
			fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/link/?ticket=t%d&app_id=A1"}`, r.Host, sm.opens)
		}
	})
	up := websocket.Upgrader{}
	mux.HandleFunc("GET /link/", func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		sm.mu.Lock()
		c := &fakeConn{id: len(sm.conns) + 1, ws: ws, acks: make(chan string, 1000), bodies: map[string]json.RawMessage{}, closed: make(chan struct{}),
			helloC: make(chan struct{}), pongs: make(chan struct{}, 10)}
		ws.SetPingHandler(func(data string) error {
			c.pings.Add(1)
			if c.silent.Load() {
				return nil
			}
			return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		ws.SetPongHandler(func(string) error { c.pongs <- struct{}{}; return nil })
		sm.conns = append(sm.conns, c)
		hold := sm.holdHello
		sm.mu.Unlock()
		go c.readLoop()
		if hold {
			select {
			case <-c.helloC:
			case <-c.closed:
				return
			}
		}
		c.send(map[string]any{"type": "hello", "num_connections": c.id, "debug_info": map[string]any{"host": "applink-test", "approximate_connection_time": 18060}, "connection_info": map[string]any{"app_id": "A1"}})
		sm.connected <- c
	})
	return sm
}

func (c *fakeConn) readLoop() {
	defer c.once.Do(func() { close(c.closed) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			c.pmu.Lock()
			c.bodies[ack.EnvelopeID] = ack.Payload
			c.pmu.Unlock()
			c.acks <- ack.EnvelopeID
		}
	}
}

func (c *fakeConn) send(v any) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteJSON(v)
}

// ackPayload is the payload of the ack of envelope id (nil for none).
func (c *fakeConn) ackPayload(id string) json.RawMessage {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	return c.bodies[id]
}

// hello lets a held connection say hello.
func (c *fakeConn) hello() { close(c.helloC) }

// envelope sends an envelope as Slack frames one.
func (c *fakeConn) envelope(typ, id string, payload any) {
	c.send(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api", "retry_attempt": 0, "retry_reason": ""})
}

// disconnect asks the client to reconnect, as Slack does before it
// closes a connection.
func (c *fakeConn) disconnect(reason string) {
	c.send(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-test"}})
}

// stall makes the peer silent: no pongs, nothing sent.
func (c *fakeConn) stall() { c.silent.Store(true) }

func (c *fakeConn) pingsReceived() int { return int(c.pings.Load()) }

// pingAndWaitPong pings the client as Slack does and waits for its pong.
func (c *fakeConn) pingAndWaitPong(t *testing.T) {
	t.Helper()
	if err := c.ws.WriteControl(websocket.PingMessage, []byte("hb"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.pongs:
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
}

// drop cuts the TCP connection with no close frame.
func (c *fakeConn) drop() { c.ws.NetConn().Close() }

// closeNormally closes as Slack does after a disconnect message.
func (c *fakeConn) closeNormally() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.ws.Close()
}

// waitAck waits for id's ack on c and fails on any other first.
func (c *fakeConn) waitAck(t *testing.T, id string) {
	t.Helper()
	select {
	case got := <-c.acks:
		if got != id {
			t.Fatalf("connection %d: ack %q, want %q", c.id, got, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("connection %d: no ack of %s", c.id, id)
	}
}

// next waits for the next connection that said hello.
func (sm *socketFake) next(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case c := <-sm.connected:
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("no Socket Mode connection")
		return nil
	}
}

// dialedConn waits until connection n exists (before any hello).
func (sm *socketFake) dialedConn(t *testing.T, n int) *fakeConn {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		sm.mu.Lock()
		if len(sm.conns) >= n {
			c := sm.conns[n-1]
			sm.mu.Unlock()
			return c
		}
		sm.mu.Unlock()
		time.Sleep(2 * time.Millisecond) // polling a condition with a deadline
	}
	t.Fatalf("connection %d never opened", n)
	return nil
}

func (sm *socketFake) set(fn func(sm *socketFake)) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	fn(sm)
}

// runSocket runs Socket Mode until the test ends; the returned channel
// has its result.
func (h *harness) runSocket() <-chan error {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		errc <- h.a.RunSocketMode(ctx)
	}()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			h.t.Errorf("RunSocketMode did not stop")
		}
	})
	return errc
}

// slashPayload is a slash_commands envelope's payload, as Slack sends it.
func (h *harness) slashPayload(user, text string) map[string]any {
	h.n++
	return map[string]any{
		"token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1", "channel_name": "quiz",
		"user_id": user, "user_name": "name-" + user, "command": "/asyncquiz", "text": text,
		"api_app_id": "A1", "is_enterprise_install": "false",
		"response_url": fmt.Sprintf("%s/response/s%d", h.fake.srv.URL, h.n),
		"trigger_id":   fmt.Sprintf("13345224609.738474920.s%d", h.n),
	}
}

// clickPayload is an interactive envelope's block_actions payload.
func (h *harness) clickPayload(user, value, trigger string) map[string]any {
	h.n++
	return map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1", "domain": "acme"},
		"user":       map[string]any{"id": user, "username": "name-" + user, "name": "name-" + user, "team_id": "T1"},
		"api_app_id": "A1", "token": "legacy",
		"container":  map[string]any{"type": "message", "message_ts": "1700000000.000001", "channel_id": "C1", "is_ephemeral": false},
		"trigger_id": trigger, "channel": map[string]any{"id": "C1", "name": "quiz"},
		"message":      map[string]any{"type": "message", "ts": "1700000000.000001", "text": "echoed"},
		"response_url": fmt.Sprintf("%s/response/i%d", h.fake.srv.URL, h.n),
		"actions":      []map[string]any{{"action_id": "answer:1", "block_id": "answers", "type": "button", "value": value, "action_ts": "1700000001.1"}},
	}
}
