package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// envelope is one Socket Mode message from Slack.
type envelope struct {
	Type       string          `json:"type"`
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
	Reason     string          `json:"reason"` // disconnect
	// RetryAttempt counts Slack's redeliveries of an unacknowledged
	// envelope; the trigger_id inside makes them no-ops.
	RetryAttempt int `json:"retry_attempt"`
	// at is when it was read, on the store's clock.
	at time.Time
}

// smConn is one Socket Mode websocket. Reads happen on its reader
// goroutine only; writes (acks, pings, close) are serialised here, since
// gorilla allows one concurrent writer.
type smConn struct {
	id       int
	ws       *websocket.Conn
	wmu      sync.Mutex
	inflight sync.WaitGroup // envelopes being handled, whose acks go here
	done     chan struct{}
	once     sync.Once
}

const writeTimeout = 5 * time.Second

// ack acknowledges an envelope on this connection, the one it came from;
// payload, when set, is the response (what an HTTP request would get as
// its body, such as a view_submission's response_action).
func (c *smConn) ack(envelopeID string, payload json.RawMessage) error {
	msg := map[string]any{"envelope_id": envelopeID}
	if payload != nil {
		msg["payload"] = payload
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

func (c *smConn) ping() error {
	return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout))
}

// close sends a normal close frame (best effort) and closes the socket.
func (c *smConn) close() {
	c.once.Do(func() {
		close(c.done)
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.ws.Close()
	})
}

// closeWhenIdle closes the connection once the envelopes read from it
// have been acknowledged, or after wait.
func (c *smConn) closeWhenIdle(wait time.Duration) {
	idle := make(chan struct{})
	go func() { c.inflight.Wait(); close(idle) }()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
	c.close()
}

// dial opens the websocket at u (from apps.connections.open). Errors keep
// their cause (TLS, refused, HTTP status) but never the URL: it carries a
// ticket.
func (s *socketClient) dial(ctx context.Context, u string, id int) (*smConn, error) {
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: s.timing.handshake, TLSClientConfig: s.tls}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
			return nil, &apiError{Method: "socket mode handshake", Status: resp.StatusCode}
		}
		return nil, &apiError{Method: "socket mode handshake", Err: transportCause(err)}
	}
	ws.SetReadLimit(1 << 20)
	return &smConn{id: id, ws: ws, done: make(chan struct{})}, nil
}

// connEvent is what a connection's reader tells the supervisor.
type connEvent struct {
	c      *smConn
	kind   string // "hello", "disconnect", "closed"
	reason string // disconnect reason
	err    error  // why it closed
}

// read reads c until it fails, passing hello and disconnect to the
// supervisor and handling envelopes concurrently (a click takes up to
// clickDeadline to commit; the next envelope must not wait for it).
func (s *socketClient) read(c *smConn) {
	silence := 3 * s.timing.ping
	extend := func() { c.ws.SetReadDeadline(time.Now().Add(silence)) }
	c.ws.SetReadDeadline(time.Now().Add(s.timing.handshake)) // until hello
	c.ws.SetPingHandler(func(data string) error {
		extend()
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
	go s.pinger(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.event(connEvent{c: c, kind: "closed", err: closeCause(err)})
			return
		}
		extend()
		env := envelope{at: s.a.now()}
		if err := json.Unmarshal(data, &env); err != nil {
			s.log.Warn("Socket Mode: unreadable message ignored", "connection", c.id, "error", err)
			continue
		}
		switch env.Type {
		case "hello":
			s.event(connEvent{c: c, kind: "hello"})
		case "disconnect":
			s.event(connEvent{c: c, kind: "disconnect", reason: env.Reason})
		default:
			if env.EnvelopeID == "" {
				continue
			}
			c.inflight.Add(1)
			go func() {
				defer c.inflight.Done()
				s.a.handleEnvelope(c, env)
			}()
		}
	}
}

// pinger pings every timing.ping: a connection whose peer stops answering
// (a dropped TCP path sends no FIN) is found dead by its read deadline.
func (s *socketClient) pinger(c *smConn) {
	t := time.NewTicker(s.timing.ping)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.ping()
		}
	}
}

// closeCause says why a connection ended, without the URL.
func closeCause(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Errorf("closed by Slack with code %d %s", ce.Code, ce.Text)
	}
	return transportCause(err)
}
