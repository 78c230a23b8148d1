package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/asyncquiz/asyncquiz/bot"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// frame is one gateway payload.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// maxFrame bounds one gateway message; READY lists every guild.
const maxFrame = 16 << 20

// conn is one websocket connection of a session.
type conn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	acked  atomic.Bool
	zombie atomic.Bool
}

func (c *conn) send(op int, d any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteJSON(map[string]any{"op": op, "d": d})
}

// close sends a close frame with code and drops the connection, which ends
// the read loop. WriteControl may run alongside the other calls.
func (c *conn) close(code int, text string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.ws.Close()
}

// connect runs one connection until it ends, and says whether it got as
// far as READY or RESUMED and why it ended.
func (g *gateway) connect(ctx context.Context) (ready bool, err error) {
	resume := g.resumable()
	url := g.resumeURL
	if !resume {
		if url, err = g.gatewayURL(ctx); err != nil {
			return false, err
		}
	}
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: g.a.gw.handshake}
	ws, resp, err := dialer.DialContext(ctx, url+gatewayQuery, nil)
	if err != nil {
		if !resume {
			g.url = "" // ask again: the gateway may have moved
		}
		if resp != nil {
			return false, fmt.Errorf("gateway dial: HTTP %s", resp.Status)
		}
		return false, fmt.Errorf("gateway dial: %w", err)
	}
	ws.SetReadLimit(maxFrame)
	c := &conn{ws: ws}
	c.acked.Store(true)
	stop := context.AfterFunc(ctx, func() { c.close(websocket.CloseNormalClosure, "shutting down") })
	defer stop()
	defer ws.Close()

	ws.SetReadDeadline(time.Now().Add(g.a.gw.handshake))
	var hello frame
	if err := ws.ReadJSON(&hello); err != nil || hello.Op != opHello {
		return false, fmt.Errorf("gateway HELLO: %w", readError(err, hello.Op))
	}
	var h struct {
		Interval int64 `json:"heartbeat_interval"`
	}
	if err := json.Unmarshal(hello.D, &h); err != nil || h.Interval <= 0 {
		return false, fmt.Errorf("gateway HELLO without a heartbeat interval")
	}
	interval := time.Duration(h.Interval) * time.Millisecond
	if resume {
		err = c.send(opResume, map[string]any{"token": g.a.token, "session_id": g.sessionID, "seq": g.seq.Load()})
	} else {
		err = c.send(opIdentify, map[string]any{"token": g.a.token, "intents": intents,
			"properties": map[string]string{"os": runtime.GOOS, "browser": "asyncquiz", "device": "asyncquiz"}})
	}
	if err != nil {
		return false, fmt.Errorf("gateway identify: %w", err)
	}
	hbCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go g.heartbeat(hbCtx, c, interval)
	// Until READY the handshake bound applies; afterwards a silent socket
	// is found by the heartbeat (a missing ACK), with this as a backstop.
	ws.SetReadDeadline(time.Now().Add(g.a.gw.handshake))
	for {
		var f frame
		if err := ws.ReadJSON(&f); err != nil {
			if c.zombie.Load() {
				return ready, errZombie
			}
			return ready, readError(err, -1)
		}
		if ready {
			ws.SetReadDeadline(time.Now().Add(2*interval + g.a.gw.handshake))
		}
		if f.S != nil {
			g.seq.Store(*f.S)
		}
		switch f.Op {
		case opDispatch:
			if g.onDispatch(f) {
				ready = true
				g.a.bot.Transports().Up(Name, "gateway")
				ws.SetReadDeadline(time.Now().Add(2*interval + g.a.gw.handshake))
			}
		case opHeartbeat:
			if err := c.send(opHeartbeat, g.seqOrNil()); err != nil {
				return ready, fmt.Errorf("gateway heartbeat: %w", err)
			}
		case opHeartbeatACK:
			c.acked.Store(true)
		case opReconnect:
			c.close(closeResumable, "reconnecting")
			return ready, errReconnect
		case opInvalidSession:
			var resumable bool
			json.Unmarshal(f.D, &resumable)
			if !resumable {
				g.forget()
			}
			c.close(closeResumable, "invalid session")
			bot.Sleep(ctx, g.a.gw.invalidSession())
			return ready, fmt.Errorf("gateway invalidated the session (op 9, resumable %v)", resumable)
		}
	}
}

// onDispatch handles an event; it reports whether the session is (again)
// ready.
func (g *gateway) onDispatch(f frame) bool {
	switch f.T {
	case "READY":
		var r struct {
			SessionID string `json:"session_id"`
			ResumeURL string `json:"resume_gateway_url"`
		}
		if err := json.Unmarshal(f.D, &r); err != nil || r.SessionID == "" {
			g.a.log.Warn("READY without a session id; the session cannot be resumed")
		}
		g.sessionID, g.resumeURL = r.SessionID, r.ResumeURL
		return true
	case "RESUMED":
		return true
	case "INTERACTION_CREATE":
		g.dispatch(f.D)
	}
	return false
}

func (g *gateway) seqOrNil() any {
	if s := g.seq.Load(); s > 0 {
		return s
	}
	return nil
}

// heartbeat beats every interval (the first after a random part of it, as
// Discord asks). A beat sent while the previous one has no ACK means the
// connection is a zombie: it is closed with a resumable code, so the next
// connection resumes and loses nothing.
func (g *gateway) heartbeat(ctx context.Context, c *conn, interval time.Duration) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(interval)) + 1))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !c.acked.Swap(false) {
			c.zombie.Store(true)
			c.close(closeResumable, "no heartbeat ACK")
			return
		}
		if err := c.send(opHeartbeat, g.seqOrNil()); err != nil {
			c.close(closeResumable, "heartbeat failed")
			return
		}
		t.Reset(interval)
	}
}

// readError names why a read ended: Discord's close code when it sent one.
func readError(err error, op int) error {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return &closeError{code: ce.Code, text: ce.Text}
	case err != nil:
		return err
	}
	return fmt.Errorf("unexpected op %d", op)
}
