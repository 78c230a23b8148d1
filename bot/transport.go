package bot

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
)

// TransportGrace is how long a connection an adapter keeps open (Socket
// Mode, the Discord gateway) may be down before the server reports itself
// not ready: normal reconnects take a second or two.
const TransportGrace = 20 * time.Second

// Transports tracks the connections adapters keep open, for /readyz, the
// asyncquiz_transport_connected gauge and the log. An adapter calls Up and
// Down as its connection changes; a change is logged once, with its cause.
type Transports struct {
	mu    sync.Mutex
	now   func() time.Time
	log   *slog.Logger
	state map[string]*transportState
}

type transportState struct {
	platform, transport string
	up                  bool
	since               time.Time
	cause               string
}

func newTransports(log *slog.Logger) *Transports {
	return &Transports{now: time.Now, log: log, state: map[string]*transportState{}}
}

// Register declares a connection the adapter will keep open; until its
// first Up it counts as down (since now).
func (t *Transports) Register(platform, transport string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := platform + "/" + transport
	if _, ok := t.state[k]; !ok {
		t.state[k] = &transportState{platform: platform, transport: transport, since: t.now(), cause: "not connected yet"}
		metrics.TransportConnected.WithLabelValues(platform, transport).Set(0)
	}
}

// Up records that the connection is open.
func (t *Transports) Up(platform, transport string) { t.set(platform, transport, true, nil) }

// Down records that the connection is closed, and why (missing_scope,
// invalid_auth, a TLS error, an HTTP status, a close code).
func (t *Transports) Down(platform, transport string, cause error) {
	t.set(platform, transport, false, cause)
}

func (t *Transports) set(platform, transport string, up bool, cause error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := platform + "/" + transport
	s, ok := t.state[k]
	if !ok {
		s = &transportState{platform: platform, transport: transport, up: !up}
		t.state[k] = s
	}
	why := ""
	if cause != nil {
		why = cause.Error()
	}
	if s.up == up && s.cause == why {
		return // logged already
	}
	wasUp := s.up
	s.up, s.cause = up, why
	if wasUp != up {
		s.since = t.now()
	}
	v := 0.0
	if up {
		v = 1
		t.log.Info("Transport connected", "platform", platform, "transport", transport)
	} else {
		t.log.Warn("Transport down", "platform", platform, "transport", transport, "cause", why)
	}
	metrics.TransportConnected.WithLabelValues(platform, transport).Set(v)
}

// Ready returns nil when every registered connection is up or has been
// down for less than TransportGrace; otherwise an error naming them.
func (t *Transports) Ready() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var down []string
	for _, s := range t.state {
		if !s.up && t.now().Sub(s.since) >= TransportGrace {
			down = append(down, fmt.Sprintf("%s %s down since %s (%s)", s.platform, s.transport, s.since.UTC().Format(time.RFC3339), s.cause))
		}
	}
	if len(down) == 0 {
		return nil
	}
	sort.Strings(down)
	return fmt.Errorf("%v", down)
}

// SetClock replaces the clock (tests).
func (t *Transports) SetClock(now func() time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.now = now
}
