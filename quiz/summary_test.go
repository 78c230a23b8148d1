package quiz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// summaryRound opens a round of qid in the tenant's channel at the clock's
// time, records the answers (user → letter; B is right) and reveals it a
// minute later.
func summaryRound(t *testing.T, s *quiz.Store, clk *quiztest.Clock, tn quiz.Tenant, channel, qid string, answers [][2]string) {
	t.Helper()
	ctx := context.Background()
	r, _ := openPosted(t, s, quiz.OpenInput{Tenant: tn, Channel: channel, Duration: time.Minute, QuestionID: qid})
	for _, a := range answers {
		clk.Add(time.Second)
		if _, err := s.Answer(ctx, quiz.AnswerInput{Tenant: tn, Channel: channel, RoundID: r.ID, UserID: a[0], UserName: "name-" + a[0], Option: a[1]}); err != nil {
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

// A channel's summary counts its own answers in the window (not another
// channel's or team's, not the week before), its revealed rounds, the
// concepts it missed most, who improved on the week before, and the redo
// questions its people cleared in the window.
func TestStore_Summary(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		since, until := quiztest.Start, quiztest.Start.Add(7*24*time.Hour)
		teamB := quiz.Tenant{Platform: "slack", Team: "T2"}

		// The week before: U1 wrong twice, U2 right twice, U3 once.
		clk.Set(since.Add(-6 * 24 * time.Hour))
		summaryRound(t, s, clk, teamA, "C1", "core-easy-1", [][2]string{{"U1", "A"}, {"U2", "B"}, {"U3", "B"}})
		summaryRound(t, s, clk, teamA, "C1", "core-easy-2", [][2]string{{"U1", "A"}, {"U2", "B"}, {"U5", "B"}})
		// The week: U1 right twice (improved), U2 wrong twice, U4 new, U5
		// right once (too few to count as improved).
		clk.Set(since.Add(time.Hour))
		summaryRound(t, s, clk, teamA, "C1", "core-medium-1", [][2]string{{"U1", "B"}, {"U2", "A"}, {"U4", "A"}, {"U5", "B"}})
		summaryRound(t, s, clk, teamA, "C1", "core-hard-1", [][2]string{{"U1", "B"}, {"U2", "A"}, {"U4", "B"}})
		// Not this channel's, not this team's.
		summaryRound(t, s, clk, teamA, "C2", "core-hard-2", [][2]string{{"U1", "A"}, {"U6", "A"}})
		summaryRound(t, s, clk, teamB, "C1", "core-hard-2", [][2]string{{"U1", "A"}, {"U7", "A"}})
		summaryRound(t, s, clk, teamA, "C1", "basics-hard", nil) // a round nobody answered counts as a round

		// Redo: U1 clears core-easy-1 (missed the week before), U2 clears
		// core-medium-1; U6 (only in C2) clears core-hard-2: not counted.
		clk.Set(since.Add(4 * 24 * time.Hour))
		for _, r := range [][2]string{{"U1", "core-easy-1"}, {"U1", "core-easy-2"}, {"U2", "core-medium-1"}, {"U6", "core-hard-2"}} {
			letter := "B"
			if r[1] == "core-easy-2" {
				letter = "C" // wrong: not cleared
			}
			if _, err := s.AnswerRedo(ctx, teamA, r[0], r[1], "", letter); err != nil {
				t.Fatalf("redo %v: %v", r, err)
			}
		}
		clk.Set(until.Add(time.Hour)) // after the window: not counted
		if _, err := s.AnswerRedo(ctx, teamA, "U4", "core-medium-1", "", "B"); err != nil {
			t.Fatal(err)
		}

		sum, err := s.Summary(ctx, teamA, "C1", since, until)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("rounds %d people %d answers %d correct %d missed %+v improved %+v redo %d",
			sum.Rounds, sum.People, sum.Answers, sum.Correct, sum.Missed, sum.Improved, sum.RedoCleared)
		want := "rounds 3 people 4 answers 7 correct 4 " +
			"missed [{Tag:taskgroup Missed:2 Answers:4} {Tag:cancellation Missed:1 Answers:3} {Tag:shield Missed:1 Answers:3}] " +
			"improved [{UserID:U1 UserName:name-U1 Before:0 After:100}] redo 2"
		if got != want {
			t.Fatalf("summary\n got %s\nwant %s", got, want)
		}
		if !sum.Since.Equal(since) || !sum.Until.Equal(until) {
			t.Fatalf("window %v-%v", sum.Since, sum.Until)
		}

		// A quiet channel, and a window with nothing in it.
		for _, c := range []struct {
			channel      string
			since, until time.Time
		}{{"C9", since, until}, {"C1", until, until.Add(7 * 24 * time.Hour)}} {
			sum, err := s.Summary(ctx, teamA, c.channel, c.since, c.until)
			if err != nil || sum.Rounds != 0 || sum.People != 0 || sum.Answers != 0 || len(sum.Missed) != 0 || len(sum.Improved) != 0 || sum.RedoCleared != 0 {
				t.Fatalf("empty summary %+v, %v", sum, err)
			}
		}
	})
}
