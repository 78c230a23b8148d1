package quiz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

var teamA = quiz.Tenant{Platform: "slack", Team: "T1"}

func countRows(t *testing.T, db *quiztest.DB, model any) int64 {
	t.Helper()
	return db.Count(t, model)
}

// openRound opens a round of core-easy-1 (answer B, 1 point).
// openRound opens a round and marks it posted, as the bot does once the
// platform has taken its message.
func openRound(t *testing.T, s *quiz.Store, channel string, d time.Duration) quiz.Round {
	t.Helper()
	r, _ := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: channel, OpenedBy: "U0", Duration: d, QuestionID: "core-easy-1"})
	return r
}

func openPosted(t *testing.T, s *quiz.Store, in quiz.OpenInput) (quiz.Round, *questions.Question) {
	t.Helper()
	r, q, err := s.OpenRound(context.Background(), in)
	if err != nil {
		t.Fatalf("OpenRound: %v", err)
	}
	if r.State != quiz.StatePosting || r.ClaimedAt == nil {
		t.Fatalf("opened in state %q (claimed %v), want posting and claimed", r.State, r.ClaimedAt)
	}
	ref := fmt.Sprintf("msg-%d", r.ID)
	if err := s.MarkPosted(context.Background(), r.ID, ref); err != nil {
		t.Fatalf("MarkPosted: %v", err)
	}
	r.State, r.MessageRef, r.ClaimedAt = quiz.StateOpen, ref, nil
	return r, q
}

func TestStore_OpenRound(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)

		t.Run("OK", func(t *testing.T) {
			r := openRound(t, s, "C-ok", time.Minute)
			if got, want := r.State, quiz.StateOpen; got != want {
				t.Fatalf("State=%q, want %q", got, want)
			}
			if got, want := r.ClosesAt, clk.Now().Add(time.Minute); !got.Equal(want) {
				t.Fatalf("ClosesAt=%v, want %v", got, want)
			}
			open, err := s.OpenRoundIn(ctx, teamA, "C-ok")
			if err != nil || open.ID != r.ID {
				t.Fatalf("OpenRoundIn=%d, %v; want %d", open.ID, err, r.ID)
			}
		})

		t.Run("ErrSecondOpenRoundInChannel", func(t *testing.T) {
			openRound(t, s, "C-two", time.Minute)
			before := countRows(t, db, &quiz.Round{})
			_, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C-two", Duration: time.Minute})
			if got, want := quiz.ErrorCode(err), quiz.EConflict; got != want {
				t.Fatalf("code=%q, want %q (err %v)", got, want, err)
			}
			if got := countRows(t, db, &quiz.Round{}); got != before {
				t.Fatalf("rounds=%d, want %d: a refused start wrote a row", got, before)
			}
			// Another channel, or the same channel id in another team, is free.
			openRound(t, s, "C-two-other", time.Minute)
			if _, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: quiz.Tenant{Platform: "slack", Team: "T2"}, Channel: "C-two", Duration: time.Minute}); err != nil {
				t.Fatalf("other team: %v", err)
			}
		})

		t.Run("ErrBadDuration", func(t *testing.T) {
			before := countRows(t, db, &quiz.Round{})
			for _, d := range []time.Duration{0, 4 * time.Second, 8 * 24 * time.Hour} {
				_, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C-bad", Duration: d})
				if got, want := quiz.ErrorCode(err), quiz.EInvalid; got != want {
					t.Fatalf("duration %v: code=%q, want %q", d, got, want)
				}
			}
			if got := countRows(t, db, &quiz.Round{}); got != before {
				t.Fatalf("rounds=%d, want %d", got, before)
			}
		})

		t.Run("FiltersAndNoRepeatsUntilExhausted", func(t *testing.T) {
			seen := map[string]int{}
			for i := 0; i < 6; i++ {
				r, q, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C-cycle", Category: "core", Duration: time.Minute})
				if err != nil {
					t.Fatalf("round %d: %v", i, err)
				}
				if q.Category != "core" {
					t.Fatalf("category=%q, want core", q.Category)
				}
				seen[q.ID]++
				if err := s.FailRound(ctx, r.ID, "test: free the channel"); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := len(seen), 6; got != want {
				t.Fatalf("distinct questions in 6 rounds=%d, want %d (repeats before exhaustion): %v", got, want, seen)
			}
			_, q, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C-hard", Category: "basics", Difficulty: 3, Duration: time.Minute})
			if err != nil || q.ID != "basics-hard" {
				t.Fatalf("basics hard: %v, %v; want basics-hard", q, err)
			}
			_, _, err = s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C-none", Category: "advanced", Duration: time.Minute})
			if got, want := quiz.ErrorCode(err), quiz.EInvalid; got != want {
				t.Fatalf("empty filter: code=%q, want %q", got, want)
			}
		})
	})
}

// One person (or a script) cannot flood a team: starts, drills, schedule
// changes and schedules per team are bounded, counted from the rows.
func TestStore_Limits(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		clk := quiztest.NewClock(quiztest.Start)
		lim := quiz.Limits{StartsPerUser: 3, StartsPerTeam: 4, DrillsPerUser: 2, ScheduleChanges: 2, SchedulesPerTeam: 3}
		s := quiztest.OpenStore(t, db, quiztest.Bank(), append(quiztest.Exact(clk), quiz.WithLimits(lim))...)
		start := func(user, channel string) error {
			_, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: channel, OpenedBy: user, Duration: time.Minute})
			return err
		}
		for i := 0; i < 3; i++ {
			if err := start("U1", fmt.Sprintf("C%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := start("U1", "C9"); quiz.ErrorCode(err) != quiz.EUnavailable {
			t.Fatalf("fourth start by U1: %v, want a limit", err)
		}
		if err := start("U2", "C8"); err != nil {
			t.Fatalf("U2's first start: %v", err)
		}
		if err := start("U3", "C7"); quiz.ErrorCode(err) != quiz.EUnavailable {
			t.Fatalf("fifth start in the team: %v, want a limit", err)
		}
		clk.Add(quiz.LimitWindow)
		if err := start("U1", "C6"); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
		for i := 0; i < 2; i++ {
			if _, err := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 1}); quiz.ErrorCode(err) != quiz.EUnavailable {
			t.Fatalf("third drill: %v, want a limit", err)
		}
		set := func(user, channel string) error {
			_, err := s.SetSchedule(ctx, quiz.ScheduleInput{Tenant: teamA, Channel: channel, Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: time.Hour, CreatedBy: user})
			return err
		}
		if err := set("U1", "D1"); err != nil {
			t.Fatal(err)
		}
		if err := set("U1", "D2"); err != nil {
			t.Fatal(err)
		}
		if err := set("U1", "D3"); quiz.ErrorCode(err) != quiz.EUnavailable {
			t.Fatalf("third schedule change by U1: %v, want a limit", err)
		}
		if err := set("U2", "D3"); err != nil {
			t.Fatal(err)
		}
		if err := set("U3", "D4"); quiz.ErrorCode(err) != quiz.EUnavailable {
			t.Fatalf("a fourth schedule in the team: %v, want the cap", err)
		}
		if n := db.Count(t, &quiz.Schedule{}); n != 3 {
			t.Fatalf("%d schedules, want 3", n)
		}
	})
}
