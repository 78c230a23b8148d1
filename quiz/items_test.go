package quiz_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// Per question: times asked, share right, picks by option, median time to
// answer, and discrimination (the strong quarter against the weak one).
func TestStore_ItemStats(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		// Eight people: S1-S4 always right, W1-W4 always wrong, on two
		// questions asked twice each (the second time is practice).
		for round := 0; round < 4; round++ {
			qid := []string{"core-easy-1", "core-easy-2"}[round%2]
			r, _ := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: fmt.Sprintf("C%d", round), Duration: time.Minute, QuestionID: qid})
			for i := 1; i <= 4; i++ {
				clk.Add(time.Duration(i) * time.Second)
				if _, err := answer(s, r.ID, fmt.Sprintf("S%d", i), "B"); err != nil {
					t.Fatal(err)
				}
				if _, err := answer(s, r.ID, fmt.Sprintf("W%d", i), "A"); err != nil {
					t.Fatal(err)
				}
			}
			clk.Set(r.ClosesAt)
			if _, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil {
				t.Fatal(err)
			}
			if err := s.FinishReveal(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, scope := range []*quiz.Tenant{&teamA, nil} {
			stats, err := s.ItemStats(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			if len(stats) != 2 {
				t.Fatalf("%d questions with statistics, want 2", len(stats))
			}
			st := stats[0]
			if st.QuestionID != "core-easy-1" || st.Asked != 2 || st.Answers != 16 || st.Percent() != 50 ||
				st.Picks != [5]int{8, 8, 0, 0, 0} {
				t.Fatalf("core-easy-1: %+v", st)
			}
			if st.MedianSeconds < 1 || st.MedianSeconds > 10 {
				t.Fatalf("median %ds, want a few seconds", st.MedianSeconds)
			}
			if st.Discrimination != 100 || st.DiscriminationN == 0 {
				t.Fatalf("discrimination %d (n %d), want +100: the strong always right, the weak never", st.Discrimination, st.DiscriminationN)
			}
			if flags := fmt.Sprint(st.Flags(4)); flags != "[]" && flags != "[nobody picks C nobody picks D]" {
				t.Fatalf("flags %s", flags)
			}
		}
		if other, err := s.ItemStats(ctx, &quiz.Tenant{Platform: "slack", Team: "T9"}); err != nil || len(other) != 0 {
			t.Fatalf("another team sees %d questions (%v)", len(other), err)
		}
	})
}

func TestItemStat_Flags(t *testing.T) {
	for name, tc := range map[string]struct {
		st   quiz.ItemStat
		want string
	}{
		"few answers":   {quiz.ItemStat{Answers: 5, Correct: 5}, "[]"},
		"too easy":      {quiz.ItemStat{Answers: 100, Correct: 95, Picks: [5]int{1, 95, 2, 2}}, "[too easy]"},
		"too hard":      {quiz.ItemStat{Answers: 100, Correct: 10, Picks: [5]int{40, 10, 25, 25}}, "[too hard]"},
		"unpicked":      {quiz.ItemStat{Answers: 100, Correct: 50, Picks: [5]int{50, 50, 0, 0}}, "[nobody picks C nobody picks D]"},
		"discriminates": {quiz.ItemStat{Answers: 100, Correct: 50, Picks: [5]int{25, 50, 15, 10}, Discrimination: -10, DiscriminationN: 40}, "[negative discrimination]"},
	} {
		if got := fmt.Sprint(tc.st.Flags(4)); got != tc.want {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
}

// Once a channel has data, its daily rounds prefer questions it should get
// right 60-75% of the time.
func TestStore_DailyPicksInTheZone(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, _ := quiztest.NewStore(t, db)
		for qid, right := range map[string]int{"core-easy-1": 95, "core-easy-2": 65, "core-medium-1": 20} {
			if err := db.Create(&quiz.ItemTotal{Platform: "slack", Team: "T9", QuestionID: qid, Asked: 10, Answers: 100, Correct: right}).Error; err != nil {
				t.Fatal(err)
			}
		}
		// The channel does as well as everyone (60 of 100 right, like the
		// totals above): no shift.
		if err := db.Create(&quiz.Score{Platform: "slack", Team: "T1", Channel: "C1", Period: quiz.PeriodAll, UserID: "U1",
			Points: 60, Correct: 60, Answers: 100, ReachedAt: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		sch, err := s.SetSchedule(ctx, quiz.ScheduleInput{Tenant: teamA, Channel: "C1", Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: time.Hour, CreatedBy: "U0"})
		if err != nil {
			t.Fatal(err)
		}
		zone := map[string]bool{"core-easy-2": true, "core-medium-2": true, "basics-medium": true} // 65% measured, or medium's prior
		// Six days: each question in the zone twice, while the others wait;
		// on the seventh the channel gets variety (one of the rest).
		for day := 1; day <= 7; day++ {
			id := sch.ID
			r, q, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C1", OpenedBy: "schedule", ScheduleID: &id,
				LocalDate: fmt.Sprintf("2026-12-%02d", day), Duration: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if day <= 6 && !zone[q.ID] {
				t.Fatalf("day %d picked %s, outside 60-75%% expected success", day, q.ID)
			}
			if day == 7 && zone[q.ID] {
				t.Fatalf("day 7 picked %s a third time while six questions were never asked", q.ID)
			}
			if err := s.FailRound(ctx, r.ID, "test"); err != nil { // frees the channel for the next day
				t.Fatal(err)
			}
		}
	})
}

// Statistics filled in by the migration from the answers already there
// equal those the reveals kept: roll the histograms back, migrate again,
// and every question's statistics are unchanged, in each tenant and over
// all of them.
func TestMigrations_ItemHistogramsBackfill(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		clk := quiztest.NewClock(quiztest.Start)
		s, err := quiz.Open(ctx, db.DSN, quiztest.Bank(), quiztest.Exact(clk)...)
		if err != nil {
			t.Fatal(err)
		}
		teamB := quiz.Tenant{Platform: "slack", Team: "T2"}
		qids := []string{"core-easy-1", "core-easy-2", "core-medium-1", "core-hard-1"}
		// Twelve people of growing strength, whose accuracy moves from round
		// to round; answers from seconds to over an hour after the opening;
		// one round cancelled.
		for round := 0; round < 16; round++ {
			tn, channel := teamA, fmt.Sprintf("C%d", round%2)
			if round%4 == 3 {
				tn = teamB
			}
			r, _ := openPosted(t, s, quiz.OpenInput{Tenant: tn, Channel: channel, Duration: 3 * time.Hour, QuestionID: qids[round%len(qids)]})
			for k := 1; k <= 12; k++ {
				if (k+round)%5 == 0 {
					continue // not everyone answers every round
				}
				clk.Add(time.Duration(k*k*k*(round+1)) * time.Second) // up to about 8 hours in all: capped below
				if clk.Now().After(r.ClosesAt.Add(-time.Second)) {
					clk.Set(r.ClosesAt.Add(-time.Second))
				}
				letter := "A"
				if right := k > 3+round%6; right != (round%4 == 2) { // core-medium-1 favours the weak
					letter = "B"
				}
				if _, err := s.Answer(ctx, quiz.AnswerInput{Tenant: tn, Channel: channel, RoundID: r.ID, UserID: fmt.Sprintf("U%d", k), Option: letter}); err != nil {
					t.Fatal(err)
				}
			}
			if round == 6 {
				if _, err := s.CloseRound(ctx, quiz.CloseInput{Tenant: tn, RoundID: r.ID, Manager: true, ByName: "zoe", Cancel: true}); err != nil {
					t.Fatal(err)
				}
			}
			clk.Set(r.ClosesAt)
			if won, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil || len(won) != 1 {
				t.Fatalf("claimed %d rounds, %v", len(won), err)
			}
			if err := s.FinishReveal(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		stats := func(s *quiz.Store) string {
			var out []string
			for _, scope := range []*quiz.Tenant{&teamA, &teamB, nil} {
				st, err := s.ItemStats(ctx, scope)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%+v", st))
			}
			return strings.Join(out, "\n")
		}
		live := stats(s)
		for _, want := range []string{"MedianSeconds:3600", "Discrimination:-", "Discrimination:100"} {
			if !strings.Contains(live, want) {
				t.Fatalf("live statistics lack %q, so the test proves little:\n%s", want, live)
			}
		}
		s.Close()

		ids := quiz.MigrationIDs()
		if err := quiz.RollbackTo(ctx, db.DSN, "202612010010_cancel_admins"); err != nil {
			t.Fatal(err)
		}
		if n := db.Count(t, &quiz.ItemTotal{}); n == 0 {
			t.Fatal("the rollback lost item_totals")
		}
		s2, err := quiz.Open(ctx, db.DSN, quiztest.Bank(), quiztest.Exact(clk)...) // migrates again
		if err != nil {
			t.Fatalf("migrate again to %s: %v", ids[len(ids)-1], err)
		}
		defer s2.Close()
		if got := stats(s2); got != live {
			t.Fatalf("backfilled statistics differ from the reveals':\n--- backfilled\n%s\n--- live\n%s", got, live)
		}
	})
}
