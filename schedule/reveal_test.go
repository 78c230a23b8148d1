package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/schedule"
)

// fakeTimers hands the loop timers that fire only when the test says so, and
// records how long the loop asked to sleep.
type fakeTimers struct {
	asked chan time.Duration
	fire  chan time.Time
}

func newFakeTimers() *fakeTimers {
	return &fakeTimers{asked: make(chan time.Duration, 16), fire: make(chan time.Time)}
}

func (f *fakeTimers) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	f.asked <- d
	return f.fire, func() bool { return true }
}

func (f *fakeTimers) wantSleep(t *testing.T, want time.Duration) {
	t.Helper()
	select {
	case got := <-f.asked:
		if got != want {
			t.Fatalf("loop sleeps %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("loop never planned a sleep")
	}
}

func TestRevealer_Run(t *testing.T) {
	h := bottest.New(t)
	sent := make(chan bottest.Sent, 16)
	h.Platform.Notify = sent
	timers := newFakeTimers()
	rev := &schedule.Revealer{Rounds: h.Bot.Rounds(), Store: h.Store, NewTimer: timers.NewTimer}
	h.Bot.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- rev.Run(ctx) }()

	// Nothing open: the loop idles at its cap rather than polling.
	timers.wantSleep(t, 15*time.Second)

	// A new round wakes the loop, which then sleeps exactly until its deadline.
	h.Do("start 5s")
	<-sent // the post
	timers.wantSleep(t, 5*time.Second)

	h.Clock.Add(5 * time.Second)
	timers.fire <- h.Clock.Now()
	select {
	case s := <-sent:
		if len(s.Message.Buttons) != 0 {
			t.Fatalf("edit still has buttons: not a reveal")
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("round not revealed after its deadline")
	}
	timers.wantSleep(t, 15*time.Second)

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Run did not return after cancel")
	}
	select {
	case <-rev.Done():
	default:
		t.Fatalf("Done not closed after Run returned")
	}
}
