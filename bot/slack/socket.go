package slack

// Socket Mode is our own client over gorilla/websocket rather than
// slack-go's socketmode package, whose connection handling loses
// envelopes: on a disconnect message it tears the socket down at once
// (an envelope Slack already sent on it is never acked) and leaves a gap
// with no connection; it reports failures without their cause and retries
// an unusable token forever. Here the old connection is read until its
// replacement said hello, every ack goes on the connection its envelope
// came from, and every failure is reported with its cause.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// transportName is the connection's name in bot.Transports and the gauge.
const transportName = "socket-mode"

// socketTiming is Socket Mode's clockwork; tests shorten it.
type socketTiming struct {
	minBackoff, maxBackoff time.Duration // reconnect waits
	ping                   time.Duration // a connection silent for 3 pings is dead
	drain                  time.Duration // an old connection is read this long after its replacement said hello
	handshake              time.Duration // apps.connections.open to hello
}

var defaultSocketTiming = socketTiming{
	minBackoff: time.Second, maxBackoff: 30 * time.Second,
	ping: 10 * time.Second, drain: 10 * time.Second, handshake: 15 * time.Second,
}

// socketClient keeps one live Socket Mode connection, two while one
// replaces the other.
type socketClient struct {
	a      *Adapter
	log    *slog.Logger
	timing socketTiming
	tls    *tls.Config
	events chan connEvent
	stop   chan struct{}
	nextID int
	wg     sync.WaitGroup // readers
}

// RunSocketMode receives commands and clicks over Socket Mode (no public
// URL needed) until ctx is done. It returns an error only when no retry
// can help: a token Slack refuses (named: SLACK_BOT_TOKEN or
// SLACK_APP_TOKEN) or Socket Mode turned off for the app.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.appToken == "" {
		return errors.New("SLACK_APP_TOKEN is required for Socket Mode")
	}
	a.bot.Transports().Register(Name, transportName)
	if err := a.Start(ctx); err != nil {
		a.bot.Transports().Down(Name, transportName, err)
		return err
	}
	s := &socketClient{a: a, log: a.log.With("transport", transportName), timing: a.socket,
		tls: clientTLS(a.http), events: make(chan connEvent), stop: make(chan struct{})}
	return s.run(ctx)
}

// clientTLS reuses the HTTP client's TLS settings for the websocket.
func clientTLS(c *http.Client) *tls.Config {
	rt := c.Transport
	if d, ok := rt.(draining); ok {
		rt = d.base
	}
	if t, ok := rt.(*http.Transport); ok && t.TLSClientConfig != nil {
		return t.TLSClientConfig.Clone()
	}
	return nil
}

func (s *socketClient) event(ev connEvent) {
	select {
	case s.events <- ev:
	case <-s.stop:
		if ev.kind != "closed" {
			ev.c.close()
		}
	}
}

type dialResult struct {
	c   *smConn
	err error
}

// run is the supervisor: it opens connections, swaps them on disconnect,
// reconnects with backoff, and reports the transport's state.
func (s *socketClient) run(ctx context.Context) error {
	tr := s.a.bot.Transports()
	conns := map[*smConn]bool{}
	var active, pending *smConn // pending: open, waiting for its hello
	dialing := false
	failures := 0
	var retry <-chan time.Time
	dialed := make(chan dialResult)
	defer func() {
		close(s.stop)
		// Envelopes being handled still get their acks, briefly.
		var idle sync.WaitGroup
		for c := range conns {
			idle.Add(1)
			go func() { defer idle.Done(); c.closeWhenIdle(clickDeadline + time.Second) }()
		}
		idle.Wait()
		s.wg.Wait()
	}()
	dial := func() {
		dialing = true
		s.nextID++
		id := s.nextID
		go func() {
			c, err := s.open(ctx, id)
			select {
			case dialed <- dialResult{c, err}:
			case <-s.stop:
				if c != nil {
					c.close()
				}
			}
		}()
	}
	// reconnect dials at once after a first failure, then backs off.
	reconnect := func() {
		if dialing || pending != nil || retry != nil {
			return
		}
		if failures == 0 {
			dial()
			return
		}
		retry = time.After(backoff(failures, s.timing.minBackoff, s.timing.maxBackoff))
	}
	dial()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-retry:
			retry = nil
			dial()
		case r := <-dialed:
			dialing = false
			if r.err != nil {
				if isAuthError(r.err) {
					err := fmt.Errorf("SLACK_APP_TOKEN was refused by Slack (%w)", r.err)
					tr.Down(Name, transportName, err)
					return err
				}
				failures++
				if active == nil {
					tr.Down(Name, transportName, r.err)
				} else {
					s.log.Warn("Socket Mode: replacement connection failed; the old one still serves", "error", r.err)
				}
				reconnect()
				continue
			}
			conns[r.c], pending = true, r.c
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.read(r.c) }()
		case ev := <-s.events:
			switch ev.kind {
			case "hello":
				if ev.c == pending {
					pending = nil
				}
				failures = 0
				if old := active; old != ev.c {
					active = ev.c
					if old != nil {
						// Slack may still deliver on the old socket until it
						// closes it; read it a while, ack what came on it.
						go func() {
							select {
							case <-time.After(s.timing.drain):
							case <-s.stop:
							}
							old.closeWhenIdle(clickDeadline + time.Second)
						}()
					}
				}
				s.log.Debug("Socket Mode hello", "connection", ev.c.id, "connections", len(conns))
				tr.Up(Name, transportName)
			case "disconnect":
				s.log.Info("Socket Mode: Slack asked to reconnect", "connection", ev.c.id, "reason", ev.reason)
				if ev.reason == "link_disabled" {
					err := errors.New("Socket Mode is turned off for this Slack app (link_disabled): turn it on in the app's settings, or unset SLACK_APP_TOKEN to serve over HTTP")
					tr.Down(Name, transportName, err)
					return err
				}
				if ev.c == active {
					reconnect()
				}
			case "closed":
				delete(conns, ev.c)
				ev.c.close()
				switch ev.c {
				case pending:
					pending = nil
					failures++
					if active == nil {
						tr.Down(Name, transportName, fmt.Errorf("connection closed before hello: %w", ev.err))
					}
					reconnect()
				case active:
					active = nil
					s.log.Info("Socket Mode connection lost", "connection", ev.c.id, "error", ev.err)
					if pending == nil && !dialing {
						tr.Down(Name, transportName, fmt.Errorf("connection lost: %w", ev.err))
					}
					reconnect()
				}
			}
		}
	}
}

// open asks for a Socket Mode URL (apps.connections.open with the app
// token, at SLACK_API_URL) and dials it.
func (s *socketClient) open(ctx context.Context, id int) (*smConn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timing.handshake)
	defer cancel()
	var r struct {
		URL string `json:"url"`
	}
	if err := s.a.call(ctx, "apps.connections.open", s.a.appToken, nil, &r); err != nil {
		return nil, err
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") {
		return nil, &apiError{Method: "apps.connections.open", Err: errors.New("no websocket URL in the answer")}
	}
	return s.dial(ctx, r.URL, id)
}

// backoff is the wait before reconnect attempt n (1-based): exponential
// from min to max, with jitter.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min << uint(n-1)
	if n > 30 || d > max || d <= 0 {
		d = max
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
