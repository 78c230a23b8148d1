package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
	"github.com/asyncquiz/asyncquiz/schedule"
)

// pacedRecorder is a Recorder with Slack's published pace (one write per
// second per channel), so the bot paces its posts as it does for Slack.
type pacedRecorder struct{ *bottest.Recorder }

func (pacedRecorder) Pace() bot.Pace { return bot.Pace{PerChannel: time.Second} }

var _ bot.Paced = pacedRecorder{}

// 1,000 channels whose daily quiz is at the same minute: the scheduler and
// the reveal loop, running as serve runs them, post every round exactly
// once, open with its own message, and the next sweep posts nothing more.
func TestScheduler_1000SchedulesInOneMinute(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		n := 1000
		if raceEnabled {
			n = 250 // the same checks; the race detector makes 1,000 take half a minute
		}
		ctx := context.Background()
		at := utc("2026-11-18 09:00")
		clk := quiztest.NewClock(at.Add(-30 * time.Second))
		// The default limits, as serve runs with them.
		store := quiztest.OpenStore(t, db, quiztest.Bank(), append(quiztest.Exact(clk), quiz.WithLimits(quiz.DefaultLimits))...)
		b := bot.New(store, nil)
		rec := pacedRecorder{&bottest.Recorder{Notify: make(chan bottest.Sent, 2*n)}}
		b.Register("slack", rec)
		// A team may have SchedulesPerTeam daily quizzes and a person may
		// change ScheduleChanges an hour: 1,000 channels are five teams'.
		perTeam := quiz.DefaultLimits.SchedulesPerTeam
		for i := 0; i < n; i++ {
			_, err := store.SetSchedule(ctx, quiz.ScheduleInput{
				Tenant: quiz.Tenant{Platform: "slack", Team: fmt.Sprintf("T%d", i/perTeam)}, Channel: fmt.Sprintf("C%04d", i),
				Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: 4 * time.Hour, CreatedBy: fmt.Sprintf("U%04d", i),
			})
			if err != nil {
				t.Fatalf("schedule %d: %v", i, err)
			}
		}

		synced := make(chan struct{}, 16)
		sched := &schedule.Scheduler{Rounds: b.Rounds(), Store: store, Synced: synced}
		rev := &schedule.Revealer{Rounds: b.Rounds(), Store: store}
		b.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged, SchedulesChanged: sched.SchedulesChanged})
		runCtx, stop := context.WithCancel(ctx)
		errc := make(chan error, 2)
		go func() { errc <- sched.Run(runCtx) }()
		go func() { errc <- rev.Run(runCtx) }()
		stopped := false
		stopLoops := func() {
			t.Helper()
			if stopped {
				return
			}
			stopped = true
			stop()
			for i := 0; i < 2; i++ {
				select {
				case err := <-errc:
					if err != nil {
						t.Error(err)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("the loops did not stop")
				}
			}
		}
		defer stopLoops()
		select {
		case <-synced: // the start-up sweep, at 08:59:30
		case <-time.After(30 * time.Second):
			t.Fatal("no start-up sweep")
		}
		if got := len(rec.Posts()); got != 0 {
			t.Fatalf("%d posts before 09:00", got)
		}

		start := time.Now()
		clk.Set(at)
		sched.SchedulesChanged() // the minute's tick, on the test's clock
		deadline := time.After(60 * time.Second)
		for got := 0; got < n; {
			select {
			case s := <-rec.Notify:
				if s.Message.Key != "" {
					got++
				}
			case <-deadline:
				t.Fatalf("%d of %d rounds posted within a minute", len(rec.Posts()), n)
			}
		}
		t.Logf("%d rounds posted in %v", n, time.Since(start).Round(time.Millisecond))
		// Later sweeps in the same minute, as another replica's or a
		// repeated tick's, find every round posted.
		clk.Add(30 * time.Second)
		sched.Sweep(ctx, clk.Now())
		stopLoops()

		perChannel := map[string]int{}
		refs := map[string]string{}
		for _, p := range rec.Posts() {
			perChannel[p.Channel]++
			refs[p.Channel] = p.Ref
		}
		if len(perChannel) != n {
			t.Fatalf("posted in %d channels, want %d", len(perChannel), n)
		}
		for ch, c := range perChannel {
			if c != 1 {
				t.Fatalf("channel %s got %d posts, want 1", ch, c)
			}
		}
		rounds, err := store.Rounds(ctx, []string{quiz.StateOpen, quiz.StatePosting, quiz.StateFailed}, 2*n)
		if err != nil {
			t.Fatal(err)
		}
		if len(rounds) != n {
			t.Fatalf("%d rounds, want %d", len(rounds), n)
		}
		for _, r := range rounds {
			if r.State != quiz.StateOpen || r.MessageRef != refs[r.Channel] {
				t.Fatalf("round %d in %s: state %s, ref %q; want open with its post %q", r.ID, r.Channel, r.State, r.MessageRef, refs[r.Channel])
			}
		}
	})
}
