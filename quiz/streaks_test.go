package quiz_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// dailyRound plays one daily round of the schedule on a local date: the
// given users answer (right when the letter is B), then it is revealed. It
// returns the reveal's milestones.
func dailyRound(t *testing.T, s *quiz.Store, clk *quiztest.Clock, sch quiz.Schedule, date string, answers map[string]string) []quiz.Milestone {
	t.Helper()
	ctx := context.Background()
	id := sch.ID
	r, _ := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: sch.Channel, OpenedBy: "schedule", ScheduleID: &id, LocalDate: date,
		Duration: time.Hour, QuestionID: "core-easy-1"})
	for _, u := range sortedKeys(answers) {
		if _, err := answer(s, r.ID, u, answers[u]); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(r.ClosesAt)
	claimed, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	res, err := s.Result(ctx, claimed[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishReveal(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	clk.Add(20 * time.Hour)
	return res.Milestones
}

func streakOf(t *testing.T, s *quiz.Store, user string) quiz.Streak {
	t.Helper()
	st, err := s.Streaks(context.Background(), teamA, user)
	if err != nil || len(st) != 1 {
		t.Fatalf("streaks of %s: %+v, %v", user, st, err)
	}
	return st[0]
}

// Runs of answered (and right) daily rounds, with one grace day per week;
// a failed post and an outage day break nothing.
func TestStore_Streaks(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		clk := quiztest.NewClock(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
		s := quiztest.OpenStore(t, db, quiztest.Bank(), append(quiztest.Exact(clk), quiz.WithLocation(berlin))...)
		sch, err := s.SetSchedule(ctx, quiz.ScheduleInput{Tenant: teamA, Channel: "C1", Hour: 9, TimeZone: "Europe/Berlin", Days: quiz.Everyday, Deadline: time.Hour, CreatedBy: "U0"})
		if err != nil {
			t.Fatal(err)
		}
		dailyRound(t, s, clk, sch, "2026-11-02", map[string]string{"U1": "B"})
		dailyRound(t, s, clk, sch, "2026-11-03", map[string]string{"U1": "B"})
		dailyRound(t, s, clk, sch, "2026-11-04", map[string]string{"U2": "B"}) // U1 misses: the grace day
		if st := streakOf(t, s, "U1"); st.Answered != 2 || st.Right != 2 {
			t.Fatalf("after a first miss: %+v, want both runs kept at 2", st)
		}
		// Nov 5: the post failed; Nov 6: an outage, no round at all.
		id := sch.ID
		failed, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: teamA, Channel: "C1", OpenedBy: "schedule", ScheduleID: &id, LocalDate: "2026-11-05", Duration: time.Hour, QuestionID: "core-easy-1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FailRound(ctx, failed.ID, "not_in_channel"); err != nil {
			t.Fatal(err)
		}
		dailyRound(t, s, clk, sch, "2026-11-07", map[string]string{"U1": "A"}) // answered, but wrong
		if st := streakOf(t, s, "U1"); st.Answered != 3 || st.Right != 0 || st.BestRight != 2 {
			t.Fatalf("after a wrong answer: %+v, want 3 answered (the failed post and the outage broke nothing); "+
				"the right run ends, its grace day spent on Nov 4", st)
		}
		dailyRound(t, s, clk, sch, "2026-11-08", map[string]string{"U2": "B"}) // a second miss within 7 days
		if st := streakOf(t, s, "U1"); st.Answered != 0 || st.BestAnswered != 3 || st.Right != 0 || st.BestRight != 2 {
			t.Fatalf("after a second miss in a week: %+v, want both runs over, best 3 and 2", st)
		}
		for _, d := range []string{"2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12"} {
			if ms := dailyRound(t, s, clk, sch, d, map[string]string{"U1": "B"}); len(ms) != 0 {
				t.Fatalf("%s: milestones %+v before 5", d, ms)
			}
		}
		ms := dailyRound(t, s, clk, sch, "2026-11-13", map[string]string{"U1": "B"})
		if len(ms) != 2 || ms[0].Days != 5 || ms[0].Right || ms[1].Days != 5 || !ms[1].Right {
			t.Fatalf("the fifth day in a row: milestones %+v, want 5 answered and 5 right", ms)
		}
	})
}
