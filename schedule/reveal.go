package schedule

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// maxIdle bounds the reveal loop's sleep, so rounds opened by other replicas
// and claims left by dead ones are picked up even with no local wake-up.
const maxIdle = 15 * time.Second

// Revealer runs the rounds' due work (posts to retry, count refreshes,
// reveals) when it is due. It sleeps until the next deadline (not a busy
// poll) and wakes early when a round changes here.
type Revealer struct {
	Rounds *bot.Rounds
	Store  *quiz.Store
	Log    *slog.Logger
	// NewTimer makes the loop's timers; tests may replace it.
	NewTimer func(d time.Duration) (<-chan time.Time, func() bool)

	once sync.Once
	done chan struct{}
	wake chan struct{}
}

func (r *Revealer) init() {
	r.once.Do(func() {
		r.done = make(chan struct{})
		r.wake = make(chan struct{}, 1)
	})
}

// RoundsChanged wakes the loop to plan again (bot.Hooks).
func (r *Revealer) RoundsChanged() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run does the due work until ctx is done, then returns nil once the work
// in progress has finished (each platform call has its own deadline).
func (r *Revealer) Run(ctx context.Context) error {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "reveal")
	newTimer := r.NewTimer
	if newTimer == nil {
		newTimer = func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		}
	}
	r.init()
	defer close(r.done)
	for {
		// Work that started runs to completion even during shutdown.
		if _, err := r.Rounds.RunDue(context.WithoutCancel(ctx)); err != nil {
			log.Error("Reveal pass failed", "error", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := maxIdle
		next, ok, err := r.Rounds.NextWake(ctx)
		switch {
		case ctx.Err() != nil:
			return nil // stopped while planning: the error is the cancellation
		case err != nil:
			log.Error("Plan next reveal", "error", err)
		case ok:
			wait = min(max(next.Sub(r.Store.Now()), 0), maxIdle)
		}
		c, stop := newTimer(wait)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-c:
		case <-r.wake:
			stop()
		}
	}
}

// Done is closed when Run has returned.
func (r *Revealer) Done() <-chan struct{} {
	r.init()
	return r.done
}
