package quiz_test

import (
	"context"
	"fmt"
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
