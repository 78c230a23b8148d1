package main

import (
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder is what the fake platforms saw: calls by method, 429s, the TCP
// connections the server opened, the round messages and their edits, and
// the private replies. Everything the report says about the server's side
// of the conversation comes from here.
type recorder struct {
	mu       sync.Mutex
	calls    map[string]int
	limited  map[string]int
	messages map[string]*message // platform/channel/ref
	byRound  map[uint64]*message
	replies  map[string]reply // reply id (click or command) -> first reply
	extra    map[string]int   // reply id -> replies after the first
	clicks   int              // replies to clicks (ids "c...")
	conns    map[string]*connStats
	changed  chan struct{} // closed and replaced on every change
}

// message is a round's message as posted and edited on a fake platform.
type message struct {
	Platform, Channel, Ref string
	RoundID                uint64
	Actions                []string // button values / custom ids, in order
	Deadline               time.Time
	Echo                   string // echoed in clicks: Slack blocks, the Discord message
	PostedAt               time.Time
	Refreshes              int       // edits that kept the buttons
	Reveals                int       // edits that removed them
	RevealedAt             time.Time // the first of those
}

// reply is a private reply to a click or command.
type reply struct {
	At   time.Time
	Text string // the raw body, for classifying
}

// connStats counts the TCP connections one fake accepted.
type connStats struct {
	accepted, open, peak int
	ports                map[string]bool
}

func newRecorder() *recorder {
	return &recorder{
		calls: map[string]int{}, limited: map[string]int{}, messages: map[string]*message{},
		byRound: map[uint64]*message{}, replies: map[string]reply{}, extra: map[string]int{},
		conns: map[string]*connStats{}, changed: make(chan struct{}),
	}
}

// notifyLocked wakes everyone waiting in wait; call with mu held.
func (r *recorder) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// wait returns a channel closed at the next change; check the condition
// after taking it, then wait on it.
func (r *recorder) wait() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

func (r *recorder) call(method string) {
	r.mu.Lock()
	r.calls[method]++
	r.mu.Unlock()
}

func (r *recorder) rateLimited(method string) {
	r.mu.Lock()
	r.limited[method]++
	r.mu.Unlock()
}

// posted records a round's message (one with answer buttons).
func (r *recorder) posted(m *message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages[m.Platform+"/"+m.Channel+"/"+m.Ref] = m
	if m.RoundID != 0 {
		r.byRound[m.RoundID] = m
	}
	r.notifyLocked()
}

// edited records an edit of a message; reveal is true when the edit took
// the buttons away.
func (r *recorder) edited(platform, channel, ref string, reveal bool, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.messages[platform+"/"+channel+"/"+ref]
	if m == nil {
		return
	}
	if !reveal {
		m.Refreshes++
		return
	}
	m.Reveals++
	if m.Reveals == 1 {
		m.RevealedAt = at
	}
	r.notifyLocked()
}

// replied records a private reply under id.
func (r *recorder) replied(id, text string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.replies[id]; ok {
		r.extra[id]++
		return
	}
	r.replies[id] = reply{At: at, Text: text}
	if strings.HasPrefix(id, "c") {
		r.clicks++
	}
	r.notifyLocked()
}

func (r *recorder) reply(id string) (reply, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rp, ok := r.replies[id]
	return rp, ok
}

func (r *recorder) clickReplyCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clicks
}

// roundMessages returns a copy of the round messages, by channel order.
func (r *recorder) roundMessages() []message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]message, 0, len(r.messages))
	for _, m := range r.messages {
		if m.RoundID != 0 {
			out = append(out, *m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoundID < out[j].RoundID })
	return out
}

// roundIn returns the round message posted in platform/channel, if any.
func (r *recorder) roundIn(platform, channel string) (message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.messages {
		if m.Platform == platform && m.Channel == channel && m.RoundID != 0 {
			return *m, true
		}
	}
	return message{}, false
}

func (r *recorder) revealedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.byRound {
		if m.Reveals > 0 {
			n++
		}
	}
	return n
}

// connState is an http.Server ConnState hook counting the connections a
// fake accepted, by distinct remote address.
func (r *recorder) connState(fake string) func(net.Conn, http.ConnState) {
	return func(c net.Conn, s http.ConnState) {
		r.mu.Lock()
		defer r.mu.Unlock()
		cs := r.conns[fake]
		if cs == nil {
			cs = &connStats{ports: map[string]bool{}}
			r.conns[fake] = cs
		}
		switch s {
		case http.StateNew:
			cs.accepted++
			cs.open++
			cs.peak = max(cs.peak, cs.open)
			cs.ports[c.RemoteAddr().String()] = true
		case http.StateClosed, http.StateHijacked:
			cs.open--
		}
	}
}

// bucket is a token bucket: rate tokens a second, at most burst saved.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// take spends a token if there is one, or says how long until there is.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, now
	}
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// limiter holds token buckets by key (a Slack channel, Discord's global).
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, buckets: map[string]*bucket{}}
}

// allow reports whether a call under key may go now; a nil limiter allows
// everything.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{rate: l.rate, burst: l.burst}
		l.buckets[key] = b
	}
	return b.take(now)
}
