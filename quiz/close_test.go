package quiz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// A cancelled round is revealed with nothing scored, and its question can
// score for the same person later; a stopped one scores as usual.
func TestStore_CloseRound(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		reveal := func(r quiz.Round) {
			t.Helper()
			clk.Add(quiz.AnswerGrace)
			won, err := s.ClaimDue(ctx, quiz.DefaultLease, 10)
			if err != nil || len(won) != 1 || won[0].ID != r.ID {
				t.Fatalf("ClaimDue = %v, %v; want round %d", won, err, r.ID)
			}
			if err := s.FinishReveal(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}

		r := openRound(t, s, "C1", time.Hour)
		if _, err := answer(s, r.ID, "U1", "B"); err != nil {
			t.Fatal(err)
		}
		_, err := s.CloseRound(ctx, quiz.CloseInput{Tenant: teamA, Channel: "C1", By: "U9", Cancel: true})
		if !errors.Is(err, &quiz.Error{Code: quiz.EForbidden}) {
			t.Fatalf("close by a stranger: %v, want forbidden", err)
		}
		got, err := s.CloseRound(ctx, quiz.CloseInput{Tenant: teamA, Channel: "C1", By: "U0", ByName: "zoe", Cancel: true})
		if err != nil || got.CancelledBy != "zoe" || !got.ClosesAt.Equal(clk.Now()) {
			t.Fatalf("cancel by its starter: %+v, %v", got, err)
		}
		if _, err := s.CloseRound(ctx, quiz.CloseInput{Tenant: teamA, RoundID: r.ID, Manager: true}); !errors.Is(err, &quiz.Error{Code: quiz.EConflict}) {
			t.Fatalf("second close: %v, want conflict", err)
		}
		reveal(r)
		if n := db.Count(t, &quiz.Score{}); n != 0 {
			t.Fatalf("cancelled round left %d scores", n)
		}
		for _, m := range []any{&quiz.ItemTotal{}, &quiz.ItemTime{}, &quiz.ItemBand{}} {
			if n := db.Count(t, m); n != 0 {
				t.Fatalf("cancelled round counted in %d %T rows", n, m)
			}
		}

		// The same question in a new round scores for U1 (its first answer
		// was forgotten), and stop keeps the scoring.
		r2 := openRound(t, s, "C1", time.Hour)
		res, err := answer(s, r2.ID, "U1", "B")
		if err != nil || res.Practice {
			t.Fatalf("answer after a cancelled round: %+v, %v; want a scoring answer", res, err)
		}
		if _, err := s.CloseRound(ctx, quiz.CloseInput{Tenant: teamA, RoundID: r2.ID, Manager: true}); err != nil {
			t.Fatal(err)
		}
		reveal(r2)
		lb, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: quiz.PeriodAll, Scope: quiz.ScopeTeam, UserID: "U1"})
		if err != nil || len(lb.Top) != 1 || lb.Top[0].Points == 0 {
			t.Fatalf("leaderboard after a stopped round: %+v, %v", lb, err)
		}
	})
}

// Forget deletes one person's rows in one team and nobody else's.
func TestStore_Forget(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		for i := 0; i < 3; i++ { // three answers each: counted by accuracy
			r := openRound(t, s, "C1", time.Minute)
			for _, u := range []string{"U1", "U2"} {
				if _, err := answer(s, r.ID, u, "A"); err != nil {
					t.Fatal(err)
				}
			}
			clk.Add(time.Minute + quiz.AnswerGrace)
			if won, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil || len(won) != 1 {
				t.Fatalf("claim: %v %v", won, err)
			}
			if err := s.FinishReveal(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		ranked := func() (people int64) {
			db.Model(&quiz.AccuracyBand{}).Select("COALESCE(SUM(people), 0)").Scan(&people)
			return people
		}
		if n := ranked(); n != 2 {
			t.Fatalf("%d people counted by accuracy, want 2", n)
		}
		if _, err := s.AddAdmin(ctx, teamA, "U1", "ada", "U0"); err != nil {
			t.Fatal(err)
		}
		rows := func(user string) int64 {
			var n int64
			for _, m := range []any{&quiz.Answer{}, &quiz.Attempt{}, &quiz.RedoItem{}, &quiz.FirstAnswer{}, &quiz.Score{}, &quiz.Admin{}} {
				n += db.Count(t, m, "user_id = ?", user)
			}
			return n
		}
		u2 := rows("U2")
		if rows("U1") == 0 || u2 == 0 {
			t.Fatal("nothing to forget")
		}
		if _, err := s.Forget(ctx, "slack", "T1", ""); !errors.Is(err, &quiz.Error{Code: quiz.EInvalid}) {
			t.Fatalf("forget with no user: %v", err)
		}
		n, err := s.Forget(ctx, "slack", "T1", "U1")
		if err != nil || n.Total() == 0 {
			t.Fatalf("Forget: %v, %v", n, err)
		}
		if left := rows("U1"); left != 0 {
			t.Fatalf("%d rows of U1 left", left)
		}
		if rows("U2") != u2 {
			t.Fatalf("U2's rows changed: %d, was %d", rows("U2"), u2)
		}
		// The per-question statistics stay; the count of people by
		// accuracy is the remaining people's.
		if db.Count(t, &quiz.ItemTotal{}) == 0 || db.Count(t, &quiz.ItemTime{}) == 0 {
			t.Fatal("Forget removed per-question statistics")
		}
		if n := ranked(); n != 1 {
			t.Fatalf("%d people counted by accuracy, want 1 (U2)", n)
		}
	})
}
