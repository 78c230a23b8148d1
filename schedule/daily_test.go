package schedule_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
	"github.com/asyncquiz/asyncquiz/schedule"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// setDaily sets the channel's schedule through the bot, as a person would.
func setDaily(t *testing.T, h *bottest.Harness, text string) quiz.Schedule {
	t.Helper()
	r := h.Do(text)
	sch, err := h.Store.ScheduleIn(context.Background(), quiz.Tenant{Platform: "slack", Team: "T1"}, "C1")
	if err != nil {
		t.Fatalf("%q: no schedule (%s)", text, bottest.Text(r.Message))
	}
	return sch
}

func newScheduler(h *bottest.Harness) *schedule.Scheduler {
	return &schedule.Scheduler{Rounds: h.Bot.Rounds(), Store: h.Store}
}

func TestFireTime(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	sch := func(h, m int) quiz.Schedule { return quiz.Schedule{Hour: h, Minute: m} }
	tests := map[string]struct {
		s    quiz.Schedule
		loc  *time.Location
		date string
		want time.Time
	}{
		"berlin_normal":           {sch(9, 30), berlin, "2026-11-18", utc("2026-11-18 08:30")},
		"berlin_spring_gap":       {sch(2, 30), berlin, "2026-03-29", utc("2026-03-29 01:00")}, // 03:00 CEST
		"berlin_fall_first":       {sch(2, 30), berlin, "2026-10-25", utc("2026-10-25 00:30")}, // 02:30 CEST
		"newyork_spring_gap":      {sch(2, 15), ny, "2026-03-08", utc("2026-03-08 07:00")},     // 03:00 EDT
		"newyork_fall_first":      {sch(1, 30), ny, "2026-11-01", utc("2026-11-01 05:30")},     // 01:30 EDT
		"newyork_after_fall_back": {sch(9, 0), ny, "2026-11-02", utc("2026-11-02 14:00")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, _ := time.Parse("2006-01-02", tc.date)
			if got := tc.s.FireTime(d.Year(), d.Month(), d.Day(), tc.loc); !got.Equal(tc.want) {
				t.Fatalf("FireTime=%v, want %v", got.UTC(), tc.want)
			}
		})
	}
}

// Cron skips a wall time that does not exist; the minute sweep posts that
// day's round at the first valid minute after the gap.
func TestScheduler_SpringForward(t *testing.T) {
	for _, tc := range []struct {
		zone, daily string
		day         string
		before, at  time.Time
	}{
		{"Europe/Berlin", "daily 02:30 Europe/Berlin everyday 4h", "2026-03-29", utc("2026-03-29 00:59"), utc("2026-03-29 01:00")},
		{"America/New_York", "daily 02:30 America/New_York everyday 4h", "2026-03-08", utc("2026-03-08 06:59"), utc("2026-03-08 07:00")},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			h := bottest.New(t)
			sch := setDaily(t, h, tc.daily)
			// Cron would skip the gap day; the schedule's next fire is the
			// first valid minute after the gap instead.
			prev := tc.before.Add(-20 * time.Hour)
			next, err := sch.NextFire(prev)
			if err != nil {
				t.Fatal(err)
			}
			if !next.Equal(tc.at) {
				t.Fatalf("next fire after %v is %v, want %v (the first minute after the gap)", prev, next, tc.at)
			}
			s := newScheduler(h)
			h.Clock.Set(tc.before)
			s.Sweep(context.Background(), tc.before)
			if n := len(h.Platform.Posts()); n != 0 {
				t.Fatalf("posted %d before the first valid minute", n)
			}
			h.Clock.Set(tc.at)
			s.Sweep(context.Background(), tc.at)
			posts := h.Platform.Posts()
			if len(posts) != 1 {
				t.Fatalf("posted %d at the first valid minute after the gap, want 1", len(posts))
			}
			if got, want := posts[0].Message.Deadline, tc.at.Add(4*time.Hour); !got.Equal(want) {
				t.Fatalf("deadline %v, want %v", got, want)
			}
		})
	}
}

// When clocks go back the wall time repeats and cron fires twice: one post.
func TestScheduler_FallBack(t *testing.T) {
	for _, tc := range []struct {
		daily         string
		first, second time.Time
	}{
		{"daily 02:30 Europe/Berlin everyday 4h", utc("2026-10-25 00:30"), utc("2026-10-25 01:30")},
		{"daily 01:30 America/New_York everyday 4h", utc("2026-11-01 05:30"), utc("2026-11-01 06:30")},
	} {
		t.Run(tc.daily, func(t *testing.T) {
			h := bottest.New(t)
			sch := setDaily(t, h, tc.daily)
			s := newScheduler(h)
			for _, at := range []time.Time{tc.first, tc.second} {
				h.Clock.Set(at)
				s.Fire(context.Background(), sch, at)
				s.Sweep(context.Background(), at)
			}
			if n := len(h.Platform.Posts()); n != 1 {
				t.Fatalf("posted %d times on the fall-back day, want 1", n)
			}
		})
	}
}

func TestScheduler_Weekdays(t *testing.T) {
	h := bottest.New(t)
	setDaily(t, h, "daily 09:00 UTC weekdays 1h")
	s := newScheduler(h)
	for _, at := range []time.Time{utc("2026-11-21 09:00"), utc("2026-11-22 09:00")} { // Sat, Sun
		h.Clock.Set(at)
		s.Sweep(context.Background(), at)
	}
	if n := len(h.Platform.Posts()); n != 0 {
		t.Fatalf("posted %d on a weekend", n)
	}
	h.Clock.Set(utc("2026-11-23 09:00")) // Monday
	s.Sweep(context.Background(), h.Clock.Now())
	if n := len(h.Platform.Posts()); n != 1 {
		t.Fatalf("posted %d on Monday, want 1", n)
	}
}

// A fire missed while the process was down is posted late, keeping its
// deadline, or skipped once its deadline has passed.
func TestScheduler_MissedFire(t *testing.T) {
	h := bottest.New(t)
	setDaily(t, h, "daily 09:30 Europe/Berlin everyday 4h")
	s := newScheduler(h)
	at := utc("2026-11-18 10:00") // 11:00 Berlin, 90 minutes late
	h.Clock.Set(at)
	s.Sweep(context.Background(), at)
	posts := h.Platform.Posts()
	if len(posts) != 1 {
		t.Fatalf("late post: %d posts, want 1", len(posts))
	}
	if got, want := posts[0].Message.Deadline, utc("2026-11-18 12:30"); !got.Equal(want) {
		t.Fatalf("late round closes %v, want the schedule's %v", got, want)
	}
	// The next day the process is down until after the deadline.
	h.Clock.Set(utc("2026-11-19 13:00"))
	h.RunDue()
	s.Sweep(context.Background(), h.Clock.Now())
	if n := len(h.Platform.Posts()); n != 1 {
		t.Fatalf("posted after the deadline passed: %d posts", n)
	}
}

// The previous round still open at the next fire is revealed first.
func TestScheduler_RevealsPreviousFirst(t *testing.T) {
	h := bottest.New(t)
	h.Clock.Set(utc("2026-11-18 08:00"))
	h.Do("start 2h")
	sch := setDaily(t, h, "daily 09:00 UTC everyday 4h")
	at := utc("2026-11-18 09:00")
	h.Clock.Set(at)
	newScheduler(h).Fire(context.Background(), sch, at)
	if n := len(h.Platform.Edits()); n != 1 {
		t.Fatalf("edits=%d, want the earlier round's reveal", n)
	}
	if n := len(h.Platform.Posts()); n != 2 {
		t.Fatalf("posts=%d, want 2 (the start, then the daily round)", n)
	}
}

// A failed post is retried with backoff and the round waits in the posting
// state; after the attempts run out it is failed and the channel freed.
func TestScheduler_PostRetries(t *testing.T) {
	h := bottest.New(t)
	sch := setDaily(t, h, "daily 09:00 UTC everyday 20h")
	h.Platform.Fail = fmt.Errorf("503 Service Unavailable")
	at := utc("2026-11-18 09:00")
	h.Clock.Set(at)
	newScheduler(h).Fire(context.Background(), sch, at)
	ctx := context.Background()
	rounds, _ := h.Store.Rounds(ctx, []string{quiz.StatePosting}, 10)
	if len(rounds) != 1 || rounds[0].LastError == "" {
		t.Fatalf("pending rounds=%+v, want one with its error", rounds)
	}
	for i := 0; i < 10; i++ {
		h.Clock.Add(10 * time.Minute)
		h.Bot.Rounds().RunDue(ctx)
	}
	failed, _ := h.Store.Rounds(ctx, []string{quiz.StateFailed}, 10)
	if len(failed) != 1 {
		t.Fatalf("failed rounds=%d, want 1 after the attempts ran out", len(failed))
	}
	h.Platform.Fail = nil
	if r := h.Do("start 1m"); len(h.Platform.Posts()) != 1 {
		t.Fatalf("channel not freed: %s", bottest.Text(r.Message))
	}
}

func TestScheduler_PostRetrySucceeds(t *testing.T) {
	h := bottest.New(t)
	sch := setDaily(t, h, "daily 09:00 UTC everyday 4h")
	h.Platform.Fail = fmt.Errorf("timeout")
	at := utc("2026-11-18 09:00")
	h.Clock.Set(at)
	newScheduler(h).Fire(context.Background(), sch, at)
	h.Platform.Fail = nil
	h.Clock.Add(5 * time.Second) // backoff after the first failure: 2-3s
	h.Bot.Rounds().RunDue(context.Background())
	if n := len(h.Platform.Posts()); n != 1 {
		t.Fatalf("posts=%d after the retry, want 1", n)
	}
	r, err := h.Store.OpenRoundIn(context.Background(), quiz.Tenant{Platform: "slack", Team: "T1"}, "C1")
	if err != nil || r.State != quiz.StateOpen || r.MessageRef == "" {
		t.Fatalf("round after retry: %+v, %v", r, err)
	}
}

// A schedule changed while the scheduler runs is reloaded at once.
func TestScheduler_ReloadOnChange(t *testing.T) {
	h := bottest.New(t)
	synced := make(chan struct{}, 8)
	s := &schedule.Scheduler{Rounds: h.Bot.Rounds(), Store: h.Store, Synced: synced}
	h.Bot.Rounds().SetHooks(bot.Hooks{SchedulesChanged: s.SchedulesChanged})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	waitSync := func() {
		t.Helper()
		select {
		case <-synced:
		case <-time.After(5 * time.Second):
			t.Fatalf("no reload")
		}
	}
	waitSync() // the start-up load
	sch := setDaily(t, h, "daily 09:30 Europe/Berlin weekdays 4h")
	waitSync()
	if got, want := s.Specs()[sch.ID], "CRON_TZ=Europe/Berlin 30 9 * * 1,2,3,4,5"; got != want {
		t.Fatalf("spec=%q, want %q", got, want)
	}
	setDaily(t, h, "daily 10:15 America/New_York mon,fri 1h")
	waitSync()
	if got, want := s.Specs()[sch.ID], "CRON_TZ=America/New_York 15 10 * * 1,5"; got != want {
		t.Fatalf("after change spec=%q, want %q", got, want)
	}
	h.Do("daily off")
	waitSync()
	if n := len(s.Specs()); n != 0 {
		t.Fatalf("%d schedules loaded after daily off", n)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Run did not stop")
	}
}

// replica is one process's bot on a shared database.
type replica struct {
	bot  *bot.Bot
	rec  *bottest.Recorder
	sch  *schedule.Scheduler
	quiz *quiz.Store
}

func newReplica(t *testing.T, db *quiztest.DB, clk *quiztest.Clock) replica {
	store := quiztest.OpenStore(t, db, quiztest.Bank(), quiztest.Exact(clk)...)
	b := bot.New(store, nil)
	rec := &bottest.Recorder{}
	b.Register("slack", rec)
	return replica{bot: b, rec: rec, sch: &schedule.Scheduler{Rounds: b.Rounds(), Store: store}, quiz: store}
}

// Two schedulers on one database fire the same schedule at the same time:
// exactly one round is posted.
func TestScheduler_TwoReplicasPostOnce(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		clk := quiztest.NewClock(utc("2026-11-18 09:00"))
		a, b := newReplica(t, db, clk), newReplica(t, db, clk)
		sch, err := a.quiz.SetSchedule(context.Background(), quiz.ScheduleInput{
			Tenant: quiz.Tenant{Platform: "slack", Team: "T1"}, Channel: "C1", Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: time.Hour,
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			var wg sync.WaitGroup
			for _, r := range []replica{a, b} {
				wg.Add(1)
				go func() { defer wg.Done(); r.sch.Fire(context.Background(), sch, clk.Now()) }()
			}
			wg.Wait()
		}
		if got := len(a.rec.Posts()) + len(b.rec.Posts()); got != 1 {
			t.Fatalf("posts=%d across two replicas, want 1", got)
		}
	})
}

// 1,000 due rounds revealed by two reveal loops: each exactly once.
func TestReveal_TwoReplicas1000Rounds(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		clk := quiztest.NewClock(quiztest.Start)
		a, b := newReplica(t, db, clk), newReplica(t, db, clk)
		ctx := context.Background()
		const n = 1000
		for i := 0; i < n; i++ {
			ev := bot.Event{Platform: "slack", Team: "T1", Channel: fmt.Sprintf("C%04d", i), User: "U1"}
			a.bot.CommandText(ctx, ev, "start 5s")
		}
		if got := len(a.rec.Posts()); got != n {
			t.Fatalf("posted %d rounds, want %d", got, n)
		}
		clk.Add(5 * time.Second)
		var wg sync.WaitGroup
		for _, r := range []replica{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.bot.Rounds().RevealDue(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, r := range []replica{a, b} {
			for _, e := range r.rec.Edits() {
				seen[e.Channel+"/"+e.Ref]++
			}
		}
		if len(seen) != n {
			t.Fatalf("revealed %d distinct rounds, want %d", len(seen), n)
		}
		for k, c := range seen {
			if c != 1 {
				t.Fatalf("round %s revealed %d times", k, c)
			}
		}
		if len(a.rec.Edits()) == 0 || len(b.rec.Edits()) == 0 {
			t.Logf("one replica revealed everything (a=%d, b=%d)", len(a.rec.Edits()), len(b.rec.Edits()))
		}
	})
}
