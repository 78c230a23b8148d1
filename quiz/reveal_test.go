package quiz_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

func TestStore_ClaimDue(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)
		for _, u := range []string{"U1", "U2", "U3"} {
			letter := map[string]string{"U1": "B", "U2": "A", "U3": "B"}[u]
			if _, err := answer(s, r.ID, u, letter); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Second)
		}

		t.Run("NotBeforeDeadline", func(t *testing.T) {
			got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
			if err != nil || len(got) != 0 {
				t.Fatalf("ClaimDue before deadline = %d rounds, %v; want none", len(got), err)
			}
			next, ok, err := s.NextWake(ctx, quiz.DefaultLease)
			if err != nil || !ok || !next.Equal(r.ClosesAt) {
				t.Fatalf("NextWake=%v %v %v, want %v", next, ok, err, r.ClosesAt)
			}
		})

		t.Run("ExactlyOneOf50Wins", func(t *testing.T) {
			clk.Set(r.ClosesAt)
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			start := make(chan struct{})
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					wins += len(got)
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			if wins != 1 {
				t.Fatalf("claims won=%d, want exactly 1", wins)
			}
			// The channel is free as soon as the round is claimed.
			openRound(t, s, "C1", time.Hour)
		})

		t.Run("Result", func(t *testing.T) {
			got, err := s.Round(ctx, teamA, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Result(ctx, got)
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{1, 2, 0, 0}; !equalInts(res.Counts, want) {
				t.Fatalf("Counts=%v, want %v", res.Counts, want)
			}
			if len(res.CorrectUsers) != 2 || res.CorrectUsers[0].UserID != "U1" || res.CorrectUsers[1].UserID != "U3" {
				t.Fatalf("CorrectUsers=%+v, want U1 then U3", res.CorrectUsers)
			}
		})

		t.Run("LeaseExpiryReclaims", func(t *testing.T) {
			clk.Add(quiz.DefaultLease - time.Second)
			if got, _ := s.ClaimDue(ctx, quiz.DefaultLease, 10); len(got) != 0 {
				t.Fatalf("reclaimed %d before the lease ran out", len(got))
			}
			clk.Add(time.Second)
			got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
			if err != nil || len(got) != 1 || got[0].ID != r.ID {
				t.Fatalf("reclaim after lease = %+v, %v; want round %d", got, err, r.ID)
			}
			if err := s.FinishReveal(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.FinishReveal(ctx, r.ID); !errors.Is(err, &quiz.Error{Code: quiz.EConflict}) {
				t.Fatalf("second FinishReveal err=%v, want EConflict", err)
			}
		})

		t.Run("DeferThenFail", func(t *testing.T) {
			r2, err := s.OpenRoundIn(ctx, teamA, "C1")
			if err != nil {
				t.Fatal(err)
			}
			clk.Set(r2.ClosesAt)
			for attempt := 1; attempt <= 3; attempt++ {
				got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
				if err != nil || len(got) != 1 {
					t.Fatalf("attempt %d: claimed %d, %v", attempt, len(got), err)
				}
				if got[0].Attempts != attempt {
					t.Fatalf("Attempts=%d, want %d", got[0].Attempts, attempt)
				}
				if err := s.DeferReveal(ctx, got[0], quiz.DefaultLease, 10*time.Second, errors.New("edit: 503"), 3); err != nil {
					t.Fatal(err)
				}
				clk.Add(10 * time.Second)
			}
			final, _ := s.Round(ctx, teamA, r2.ID)
			if final.State != quiz.StateFailed || final.LastError != "edit: 503" {
				t.Fatalf("after 3 failures: state=%q error=%q, want failed with the error", final.State, final.LastError)
			}
		})
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
