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

// Revealer reveals rounds at their deadline. It sleeps until the next
// deadline (not a busy poll) and wakes early when the bot opens a round.
type Revealer struct {
	Bot   *bot.Bot
	Store *quiz.Store
	Log   *slog.Logger
	// NewTimer makes the loop's timers; tests may replace it.
	NewTimer func(d time.Duration) (<-chan time.Time, func() bool)

	once sync.Once
	done chan struct{}
}

// Run reveals due rounds until ctx is done, then returns nil once the reveal
// in progress has finished.
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
	r.once.Do(func() { r.done = make(chan struct{}) })
	defer close(r.done)
	for {
		// Reveals run to completion even during shutdown, bounded by their own timeout.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if _, err := r.Bot.RunDue(rctx); err != nil {
			log.Error("Reveal pass failed", "error", err)
		}
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		wait := maxIdle
		if next, ok, err := r.Store.NextWake(ctx, quiz.DefaultLease); err != nil {
			log.Error("Plan next reveal", "error", err)
		} else if ok {
			wait = min(max(next.Sub(r.Store.Now()), 0), maxIdle)
		}
		c, stop := newTimer(wait)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-c:
		case <-r.Bot.Wakeups():
			stop()
		}
	}
}

// Done is closed when Run has returned.
func (r *Revealer) Done() <-chan struct{} {
	r.once.Do(func() { r.done = make(chan struct{}) })
	return r.done
}
