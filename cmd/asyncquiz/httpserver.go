package main

import (
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// HTTP limits: a slow or stuck client (slowloris, a trickled body) holds a
// connection for seconds, not forever, and the number of open connections
// stays below what the process's file descriptors allow, so real requests
// always find one. Platform requests are a few KB and answered in ms.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 30 * time.Second
	maxHeaderBytes    = 16 << 10
	// shutdownDrain: keep answering for a moment with keep-alives off, so
	// clients on kept-alive connections get a response (and a Connection:
	// close) rather than a reset.
	shutdownDrain = time.Second
)

// newHTTPServer is the server with every limit set; conns tracks its
// connections for the connection limit.
func newHTTPServer(h http.Handler, log *slog.Logger, conns *limitListener) *http.Server {
	return &http.Server{
		Handler:           recoverer(h, log),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         conns.track,
	}
}

// recoverer is the last resort: a handler that panics is logged with its
// stack and answered 500, and the server goes on.
func recoverer(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("Handler panicked", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// connsCeiling bounds open HTTP connections whatever the descriptor limit:
// a connection costs a goroutine and its buffers, so beyond the ceiling
// connections wait in the kernel's accept queue rather than in the
// process's memory. A click waits for its answer's commit (tens of
// milliseconds under load), so a platform sending thousands a second
// keeps hundreds of connections busy: measured with cmd/loadgen, 5,000
// clicks/s came over 650-700, and with a ceiling of 512 the clicks on the
// connections beyond it waited seconds (until others had idled minIdle);
// 1,024 carried them at p99 under 200 ms in about 80 MB. 16,384 let a burst
// grow the process past 400 MB.
const connsCeiling = 1024

// limitListener keeps at most n connections open. When all are taken, a
// kept-alive connection idle for at least minIdle is closed to make room
// (its client opens a new one); one idle for less may be about to carry
// the client's next request, and closing it under that request fails it
// (a POST is not retried). Otherwise the next connection waits in the
// kernel's accept queue until one closes or has idled long enough.
type limitListener struct {
	net.Listener
	slots chan struct{}
	mu    sync.Mutex
	idle  map[net.Conn]time.Time // since when
	wake  chan struct{}
}

// minIdle is how long a connection must have been idle before it is closed
// for a newcomer.
const minIdle = time.Second

func limitConns(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), idle: map[net.Conn]time.Time{}, wake: make(chan struct{}, 1)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	var recheck *time.Timer
	defer func() {
		if recheck != nil {
			recheck.Stop()
		}
	}()
	for {
		select {
		case l.slots <- struct{}{}:
			c, err := l.Listener.Accept()
			if err != nil {
				<-l.slots
				return nil, err
			}
			return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
		}
		if l.closeOneIdle(time.Now()) {
			continue
		}
		if recheck == nil {
			recheck = time.NewTimer(minIdle / 4)
		} else {
			recheck.Reset(minIdle / 4)
		}
		select { // wait for a connection to close, to go idle, or to idle long enough
		case l.slots <- struct{}{}:
			<-l.slots
		case <-l.wake:
		case <-recheck.C:
		}
	}
}

// track follows the server's connection states (http.Server.ConnState).
func (l *limitListener) track(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateIdle:
		l.idle[c] = time.Now()
		select {
		case l.wake <- struct{}{}:
		default:
		}
	default:
		delete(l.idle, c)
	}
}

// closeOneIdle closes the connection idle longest, if that is minIdle.
func (l *limitListener) closeOneIdle(now time.Time) bool {
	l.mu.Lock()
	var victim net.Conn
	var since time.Time
	for c, t := range l.idle {
		if victim == nil || t.Before(since) {
			victim, since = c, t
		}
	}
	if victim == nil || now.Sub(since) < minIdle {
		l.mu.Unlock()
		return false
	}
	delete(l.idle, victim)
	l.mu.Unlock()
	victim.Close()
	return true
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
