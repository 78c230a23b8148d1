package quiz_test

import (
	"context"
	"errors"
	"fmt"
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

// The reveal loop plans after every round opened: its read of the next
// deadline walks the index, however many rounds are open.
func TestStore_NextWakeUsesIndex(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		quiztest.NewStore(t, db) // migrated
		wantIndexInOrder(t, db, `SELECT * FROM rounds WHERE state = 'open' AND (refresh_until IS NULL OR refresh_until <= closes_at)
			ORDER BY closes_at LIMIT 1`, "idx_rounds_state_closes")
	})
}

// A count refresh holds a round back until the refresh's claim ends; the
// loop wakes for whichever comes first, a held round's claim end or the
// next free round's deadline.
func TestStore_NextWakeWithRefreshes(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		start := clk.Now()
		held := openRound(t, s, "C1", 20*time.Second) // held until start+RefreshLease (30 s)
		if _, ok, err := s.ClaimRefresh(ctx, held.ID, 0); err != nil || !ok {
			t.Fatalf("ClaimRefresh = %v, %v", ok, err)
		}
		late := openRound(t, s, "C2", 40*time.Second)
		next, ok, err := s.NextWake(ctx, quiz.DefaultLease)
		if want := start.Add(quiz.RefreshLease); err != nil || !ok || !next.Equal(want) {
			t.Fatalf("NextWake = %v %v %v; want the refresh's end %v (deadlines %v, %v)", next, ok, err, want, held.ClosesAt, late.ClosesAt)
		}
		soon := openRound(t, s, "C3", 25*time.Second)
		next, ok, err = s.NextWake(ctx, quiz.DefaultLease)
		if err != nil || !ok || !next.Equal(soon.ClosesAt) {
			t.Fatalf("NextWake = %v %v %v; want the free round's deadline %v", next, ok, err, soon.ClosesAt)
		}
	})
}

// Bug: on PostgreSQL a claim's LIMIT bounded nothing. The planner ran the
// `id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` subquery again for
// each row, each run skipping the rows just claimed, so ClaimDue(64) took
// every due round; RevealDue, which gives each claimed round one of its 64
// worker slots, then hung for good with workers waiting to free slots
// they never held. Batches of due rounds and of posts to retry are now
// never larger than asked.
func TestStore_ClaimsNeverExceedTheLimit(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		const n = 300
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				openRound(t, s, fmt.Sprintf("C%03d", i), time.Hour)
			} else if _, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: fmt.Sprintf("C%03d", i), OpenedBy: "U0", Duration: 2 * time.Hour}); err != nil {
				t.Fatal(err) // left posting, as by a poster that died
			}
		}
		clk.Add(time.Hour) // the open rounds are due, the posting claims lapsed
		for name, claim := range map[string]func(limit int) ([]quiz.Round, error){
			"ClaimDue":   func(limit int) ([]quiz.Round, error) { return s.ClaimDue(ctx, quiz.DefaultLease, limit) },
			"ClaimPosts": func(limit int) ([]quiz.Round, error) { return s.ClaimPosts(ctx, quiz.DefaultLease, limit) },
		} {
			total := 0
			for _, limit := range []int{64, 1, 17, 64, 64} {
				got, err := claim(limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) > limit {
					t.Fatalf("%s(limit %d) claimed %d rounds", name, limit, len(got))
				}
				total += len(got)
			}
			if total != n/2 {
				t.Fatalf("%s claimed %d rounds in all, want %d", name, total, n/2)
			}
		}
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
