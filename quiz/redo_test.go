package quiz_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

const day = 24 * time.Hour

func TestStore_Redo_LeitnerIntervals(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)
		if _, err := answer(s, r.ID, "U1", "A"); err != nil { // wrong
			t.Fatal(err)
		}
		wantDue := func(t *testing.T, in time.Duration) {
			t.Helper()
			clk.Add(in - time.Second)
			if _, err := s.NextRedo(ctx, teamA, "U1"); quiz.ErrorCode(err) != quiz.ENotFound {
				t.Fatalf("due %v early: err=%v, want ENotFound", time.Second, err)
			}
			clk.Add(time.Second)
			card, err := s.NextRedo(ctx, teamA, "U1")
			if err != nil {
				t.Fatalf("not due after %v: %v", in, err)
			}
			if card.Question.ID != r.QuestionID || card.Due != 1 {
				t.Fatalf("card=%s due=%d, want %s due=1", card.Question.ID, card.Due, r.QuestionID)
			}
		}

		wantDue(t, 3*day)
		// A wrong redo sends it back to 3 days.
		out, err := s.AnswerRedo(ctx, teamA, "U1", r.QuestionID, "", "C")
		if err != nil || out.Correct || out.Box != 0 {
			t.Fatalf("wrong redo: %+v, %v", out, err)
		}
		wantDue(t, 3*day)
		for i, next := range []time.Duration{7 * day, 16 * day, 35 * day} {
			out, err := s.AnswerRedo(ctx, teamA, "U1", r.QuestionID, "", "B")
			if err != nil || !out.Correct || out.Box != i+1 {
				t.Fatalf("right redo %d: %+v, %v; want box %d", i, out, err, i+1)
			}
			// A double click changes nothing.
			if _, err := s.AnswerRedo(ctx, teamA, "U1", r.QuestionID, "", "B"); quiz.ErrorCode(err) != quiz.EConflict {
				t.Fatalf("double click: err=%v, want EConflict", err)
			}
			wantDue(t, next)
		}
		out, err = s.AnswerRedo(ctx, teamA, "U1", r.QuestionID, "", "B")
		if err != nil || !out.Graduated {
			t.Fatalf("last box: %+v, %v; want graduated", out, err)
		}
		if n := countRows(t, db, &quiz.RedoItem{}); n != 0 {
			t.Fatalf("redo items=%d after graduation, want 0", n)
		}
		if _, err := s.NextRedo(ctx, teamA, "U1"); quiz.ErrorCode(err) != quiz.ENotFound {
			t.Fatalf("empty queue: err=%v, want ENotFound", err)
		}
	})
}
