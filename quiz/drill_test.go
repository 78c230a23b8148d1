package quiz_test

import (
	"context"
	"testing"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

func TestStore_Drill_Adaptive(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, _ := quiztest.NewStore(t, db)
		card, err := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 5, Category: "core"})
		if err != nil {
			t.Fatal(err)
		}
		// Right, right, wrong, wrong, right: difficulty 1 -> 2 -> 3 -> 2 -> 1.
		plan := []struct {
			letter   string
			wantDiff int // difficulty of the question being answered
		}{{"B", 1}, {"B", 2}, {"A", 3}, {"C", 2}, {"B", 1}}
		asked := map[string]bool{}
		var last quiz.DrillStep
		for i, p := range plan {
			if got := card.Question.Difficulty; got != p.wantDiff {
				t.Fatalf("question %d difficulty=%d, want %d", i+1, got, p.wantDiff)
			}
			if asked[card.Question.ID] {
				t.Fatalf("question %s asked twice in one drill", card.Question.ID)
			}
			asked[card.Question.ID] = true
			if card.Seq != i+1 {
				t.Fatalf("Seq=%d, want %d", card.Seq, i+1)
			}
			step, err := s.AnswerDrill(ctx, teamA, "U1", card.DrillID, card.Seq, p.letter)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := step.Correct, p.letter == "B"; got != want {
				t.Fatalf("Correct=%v, want %v", got, want)
			}
			// A second click on the same question changes nothing.
			if _, err := s.AnswerDrill(ctx, teamA, "U1", card.DrillID, card.Seq, "B"); quiz.ErrorCode(err) != quiz.EConflict {
				t.Fatalf("double click err=%v, want EConflict", err)
			}
			last = step
			if step.Next != nil {
				card = *step.Next
			}
		}
		if last.Next != nil || last.Summary == nil {
			t.Fatalf("after 5 answers: Next=%v Summary=%v, want the summary", last.Next, last.Summary)
		}
		if got, want := last.Summary.Correct, 3; got != want {
			t.Fatalf("score=%d, want %d", got, want)
		}
		if len(last.Summary.Missed) == 0 {
			t.Fatalf("Missed is empty, want the tags of the two missed questions")
		}
		if got, want := countRows(t, db, &quiz.RedoItem{}), int64(2); got != want {
			t.Fatalf("redo items=%d, want %d (one per missed question)", got, want)
		}
		if _, err := s.AnswerDrill(ctx, quiz.Tenant{Platform: "slack", Team: "T1"}, "U2", card.DrillID, 1, "B"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("someone else's drill: err=%v, want ENotFound", err)
		}
	})
}

func TestStore_Drill_BadInput(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		for _, in := range []quiz.DrillInput{
			{Tenant: teamA, UserID: "U1", Count: 51},
			{Tenant: teamA, UserID: "U1", Count: -1},
			{Tenant: teamA, UserID: "U1", Count: 3, Category: "advanced"},
		} {
			_, err := s.StartDrill(context.Background(), in)
			if got, want := quiz.ErrorCode(err), quiz.EInvalid; got != want {
				t.Fatalf("%+v: code=%q, want %q", in, got, want)
			}
		}
		if n := countRows(t, db, &quiz.Drill{}); n != 0 {
			t.Fatalf("drills=%d, want 0", n)
		}
	})
}

// The drill under way is in the database: ActiveDrill finds the card the
// person is on (a restart of play, or `drill` again, shows it) until the
// drill ends or a new one replaces it.
func TestStore_ActiveDrill(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, _ := quiztest.NewStore(t, db)
		if _, err := s.ActiveDrill(ctx, teamA, "U1"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("no drill: err=%v, want ENotFound", err)
		}
		card, err := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 2})
		if err != nil {
			t.Fatal(err)
		}
		step, err := s.AnswerDrill(ctx, teamA, "U1", card.DrillID, 1, "B")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ActiveDrill(ctx, teamA, "U1")
		if err != nil {
			t.Fatal(err)
		}
		if got.DrillID != card.DrillID || got.Seq != 2 || got.Count != 2 || got.Question.ID != step.Next.Question.ID || got.Order.String() != step.Next.Order.String() {
			t.Fatalf("ActiveDrill=%+v, want question 2 of 2 as shown (%s, order %s)", got, step.Next.Question.ID, step.Next.Order)
		}
		if _, err := s.ActiveDrill(ctx, teamA, "U2"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("another person's drill: err=%v, want ENotFound", err)
		}
		if _, err := s.ActiveDrill(ctx, quiz.Tenant{Platform: teamA.Platform, Team: "other"}, "U1"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("another team: err=%v, want ENotFound", err)
		}
		if _, err := s.AnswerDrill(ctx, teamA, "U1", card.DrillID, 2, "B"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActiveDrill(ctx, teamA, "U1"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("finished drill: err=%v, want ENotFound", err)
		}
		first, _ := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 3})
		second, _ := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 4})
		if got, err := s.ActiveDrill(ctx, teamA, "U1"); err != nil || got.DrillID != second.DrillID || got.DrillID == first.DrillID || got.Seq != 1 || got.Count != 4 {
			t.Fatalf("after a new drill: %+v, %v; want drill %d at question 1", got, err, second.DrillID)
		}
	})
}
