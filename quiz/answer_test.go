package quiz_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// answer clicks letter on the round, from the round's own channel.
func answer(s *quiz.Store, roundID uint64, user, letter string) (quiz.AnswerResult, error) {
	channel := ""
	if r, err := s.Round(context.Background(), teamA, roundID); err == nil {
		channel = r.Channel
	}
	return s.Answer(context.Background(), quiz.AnswerInput{Tenant: teamA, Channel: channel, RoundID: roundID, UserID: user, UserName: "name-" + user, Option: letter})
}

func TestStore_Answer(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, clk := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)

		t.Run("OK", func(t *testing.T) {
			res, err := answer(s, r.ID, "U1", "b")
			if err != nil {
				t.Fatal(err)
			}
			if !res.Recorded || res.Option != "B" {
				t.Fatalf("got Recorded=%v Option=%q, want true B", res.Recorded, res.Option)
			}
		})

		t.Run("ErrSecondAnswerKeepsFirst", func(t *testing.T) {
			for _, letter := range []string{"B", "C"} {
				res, err := answer(s, r.ID, "U1", letter)
				if err != nil {
					t.Fatal(err)
				}
				if res.Recorded {
					t.Fatalf("click %s: Recorded=true, want false", letter)
				}
				if got, want := res.Option, "B"; got != want {
					t.Fatalf("Option=%q, want %q", got, want)
				}
			}
			var a quiz.Answer
			if err := db.Where("round_id = ? AND user_id = ?", r.ID, "U1").First(&a).Error; err != nil {
				t.Fatal(err)
			}
			if a.Option != "B" || !a.Correct || a.Points != 1 {
				t.Fatalf("stored %+v, want option B, correct, 1 point", a)
			}
		})

		t.Run("ErrBadLetterWritesNothing", func(t *testing.T) {
			before := countRows(t, db, &quiz.Answer{})
			_, err := answer(s, r.ID, "U2", "E")
			if got, want := quiz.ErrorCode(err), quiz.EInvalid; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
			if got := countRows(t, db, &quiz.Answer{}); got != before {
				t.Fatalf("answers=%d, want %d", got, before)
			}
		})

		t.Run("ErrOtherTeam", func(t *testing.T) {
			_, err := s.Answer(context.Background(), quiz.AnswerInput{Tenant: quiz.Tenant{Platform: "slack", Team: "T9"}, RoundID: r.ID, UserID: "U3", Option: "A"})
			if got, want := quiz.ErrorCode(err), quiz.ENotFound; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
		})

		t.Run("WrongAnswerGoesToRedo", func(t *testing.T) {
			if _, err := answer(s, r.ID, "U4", "A"); err != nil {
				t.Fatal(err)
			}
			var it quiz.RedoItem
			if err := db.Where("user_id = ?", "U4").First(&it).Error; err != nil {
				t.Fatalf("redo item: %v", err)
			}
			if got, want := it.DueAt, clk.Now().Add(72*time.Hour); !got.Equal(want) {
				t.Fatalf("DueAt=%v, want %v", got, want)
			}
		})

		t.Run("ErrClosedAfterDeadline", func(t *testing.T) {
			clk.Add(time.Minute)
			_, err := answer(s, r.ID, "U5", "B")
			if got, want := quiz.ErrorCode(err), quiz.EClosed; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
		})
	})
}

// 100 users each answer twice with different letters from two goroutines
// racing each other: exactly one row per user, holding the answer that the
// store reported as recorded.
func TestStore_Answer_Concurrent(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		r := openRound(t, s, "C-race", time.Hour)
		const users = 100
		type result struct {
			user string
			res  quiz.AnswerResult
			err  error
		}
		results := make(chan result, 2*users)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for u := 0; u < users; u++ {
			for _, letter := range []string{"A", "B"} {
				wg.Add(1)
				go func(user, letter string) {
					defer wg.Done()
					<-start
					res, err := answer(s, r.ID, user, letter)
					results <- result{user, res, err}
				}(fmt.Sprintf("U%03d", u), letter)
			}
		}
		close(start)
		wg.Wait()
		close(results)
		recorded := map[string]string{}
		reported := map[string][]string{}
		for res := range results {
			if res.err != nil {
				t.Fatalf("%s: %v", res.user, res.err)
			}
			if res.res.Recorded {
				if prev, dup := recorded[res.user]; dup {
					t.Fatalf("%s recorded twice (%s and %s)", res.user, prev, res.res.Option)
				}
				recorded[res.user] = res.res.Option
			}
			reported[res.user] = append(reported[res.user], res.res.Option)
		}
		var rows []quiz.Answer
		if err := db.Where("round_id = ?", r.ID).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if got, want := len(rows), users; got != want {
			t.Fatalf("answer rows=%d, want %d", got, want)
		}
		for _, a := range rows {
			if got, want := a.Option, recorded[a.UserID]; got != want {
				t.Fatalf("%s stored %q, want the recorded %q", a.UserID, got, want)
			}
			for _, rep := range reported[a.UserID] {
				if rep != a.Option {
					t.Fatalf("%s was told %q, but %q stands", a.UserID, rep, a.Option)
				}
			}
		}
	})
}

// Each user answers A, and only after that returns, B: the first sent stands.
func TestStore_Answer_FirstSentWins(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		r := openRound(t, s, "C-seq", time.Hour)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for u := 0; u < 100; u++ {
			first := make(chan struct{})
			user := fmt.Sprintf("U%03d", u)
			wg.Add(2)
			go func() {
				defer wg.Done()
				defer close(first)
				if _, err := answer(s, r.ID, user, "C"); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				<-first
				res, err := answer(s, r.ID, user, "D")
				if err == nil && (res.Recorded || res.Option != "C") {
					err = fmt.Errorf("%s second answer: Recorded=%v Option=%q, want false C", user, res.Recorded, res.Option)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int64
		db.Model(&quiz.Answer{}).Where("round_id = ? AND option = ?", r.ID, "C").Count(&n)
		if got, want := n, int64(100); got != want {
			t.Fatalf("rows with C=%d, want %d", got, want)
		}
	})
}

// A click that names a round from another channel, or (where the platform
// says which message was clicked) from another message, touches nothing.
func TestStore_Answer_OnlyFromTheRoundsMessage(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)
		for name, in := range map[string]quiz.AnswerInput{
			"other channel": {Channel: "C2"},
			"a DM":          {Channel: "D1"},
			"other message": {Channel: "C1", MessageRef: "not-" + r.MessageRef},
		} {
			in.Tenant, in.RoundID, in.UserID, in.Option = teamA, r.ID, "U1", "B"
			if _, err := s.Answer(context.Background(), in); quiz.ErrorCode(err) != quiz.ENotFound {
				t.Fatalf("%s: err %v, want not found", name, err)
			}
		}
		if n := db.Count(t, &quiz.Answer{}); n != 0 {
			t.Fatalf("%d answers stored from the wrong place", n)
		}
		ok := quiz.AnswerInput{Tenant: teamA, Channel: "C1", MessageRef: r.MessageRef, RoundID: r.ID, UserID: "U1", Option: "B"}
		if res, err := s.Answer(context.Background(), ok); err != nil || !res.Recorded {
			t.Fatalf("the round's own message: %+v, %v", res, err)
		}
	})
}

// A click received before the deadline counts even when its commit lands
// within the grace after it; the reveal waits out the grace.
func TestStore_FairDeadline(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		clk := quiztest.NewClock(quiztest.Start)
		s := quiztest.OpenStore(t, db, quiztest.Bank(), quiz.WithClock(clk.Now)) // the default grace
		r := openRound(t, s, "C1", time.Minute)
		clk.Set(r.ClosesAt.Add(quiz.AnswerGrace / 2))
		in := quiz.AnswerInput{Tenant: teamA, Channel: "C1", RoundID: r.ID, UserID: "U1", Option: "B", ReceivedAt: r.ClosesAt.Add(-10 * time.Millisecond)}
		if res, err := s.Answer(ctx, in); err != nil || !res.Recorded {
			t.Fatalf("received before the deadline: %+v, %v; want recorded", res, err)
		}
		in.UserID, in.ReceivedAt = "U2", r.ClosesAt
		if _, err := s.Answer(ctx, in); quiz.ErrorCode(err) != quiz.EClosed {
			t.Fatalf("received at the deadline: %v, want closed", err)
		}
		if got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil || len(got) != 0 {
			t.Fatalf("claimed %d inside the grace (%v)", len(got), err)
		}
		clk.Set(r.ClosesAt.Add(quiz.AnswerGrace))
		in.UserID, in.ReceivedAt = "U3", r.ClosesAt.Add(-time.Second)
		if _, err := s.Answer(ctx, in); quiz.ErrorCode(err) != quiz.EClosed {
			t.Fatalf("committed after the grace: %v, want closed", err)
		}
		if got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil || len(got) != 1 {
			t.Fatalf("claimed %d after the grace (%v), want 1", len(got), err)
		}
	})
}

// A person scores a question once per team: the same question in a second
// channel is practice, whatever the answer.
func TestStore_FairPoints(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		r1 := openRound(t, s, "C1", time.Minute)
		r2 := openRound(t, s, "C2", time.Minute) // the same question (core-easy-1)
		a, err := answer(s, r1.ID, "U1", "A")    // wrong, but the first answer
		if err != nil || a.Practice {
			t.Fatalf("first answer: %+v, %v", a, err)
		}
		b, err := answer(s, r2.ID, "U1", "B") // right, but practice
		if err != nil || !b.Practice || !b.Correct {
			t.Fatalf("second channel: %+v, %v; want a right practice answer", b, err)
		}
		var got quiz.Answer
		if err := db.Where("round_id = ? AND user_id = ?", r2.ID, "U1").First(&got).Error; err != nil || got.Points != 0 || !got.Practice {
			t.Fatalf("stored %+v, %v; want 0 points, practice", got, err)
		}
		c, err := answer(s, r2.ID, "U2", "B") // someone else's first answer scores
		if err != nil || c.Practice {
			t.Fatalf("another person: %+v, %v", c, err)
		}
		var other quiz.Answer
		if err := db.Where("round_id = ? AND user_id = ?", r2.ID, "U2").First(&other).Error; err != nil || other.Points != 1 {
			t.Fatalf("stored %+v, %v; want 1 point", other, err)
		}
	})
}

// Closing the store commits what was already queued.
func TestStore_CloseCommitsQueuedAnswers(t *testing.T) {
	db := quiztest.MustOpenSQLite(t)
	clk := quiztest.NewClock(quiztest.Start)
	s, err := quiz.Open(context.Background(), db.DSN, quiztest.Bank(), quiztest.Exact(clk)...)
	if err != nil {
		t.Fatal(err)
	}
	r := openRound(t, s, "C1", time.Minute)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); answer(s, r.ID, fmt.Sprintf("U%02d", i), "B") }()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := db.Count(t, &quiz.Answer{}); n != 50 {
		t.Fatalf("%d answers after Close, want 50", n)
	}
}

// What a platform sends about a person is bounded before it reaches a
// column, on both engines: an oversize or NUL-bearing name is cleaned, an
// oversize user id or channel and an out-of-range round id are refused as
// user errors, never as internal ones.
func TestStore_Answer_ColumnBounds(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)
		name := "a\x00b\u202e" + strings.Repeat("é", 300) + "\nc"
		res, err := s.Answer(context.Background(), quiz.AnswerInput{Tenant: teamA, Channel: "C1", RoundID: r.ID, UserID: "U1", UserName: name, Option: "B"})
		if err != nil || !res.Recorded {
			t.Fatalf("long name with NUL: %+v, %v", res, err)
		}
		var a quiz.Answer
		if err := db.Where("round_id = ?", r.ID).First(&a).Error; err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(a.UserName)); n != quiz.MaxUserName || strings.ContainsAny(a.UserName, "\x00\u202e\n") {
			t.Fatalf("stored name %q (%d runes), want %d runes without control characters", a.UserName, n, quiz.MaxUserName)
		}
		for label, in := range map[string]quiz.AnswerInput{
			"user id too long": {Channel: "C1", RoundID: r.ID, UserID: strings.Repeat("u", quiz.MaxUserID+1)},
			"empty user id":    {Channel: "C1", RoundID: r.ID},
			"channel too long": {Channel: strings.Repeat("c", quiz.MaxChannel+1), RoundID: r.ID, UserID: "U2"},
			"round id 2^64-1":  {Channel: "C1", RoundID: math.MaxUint64, UserID: "U2"},
		} {
			in.Tenant, in.Option = teamA, "B"
			if _, err := s.Answer(context.Background(), in); err == nil || quiz.ErrorCode(err) == quiz.EInternal {
				t.Errorf("%s: %v, want a user error", label, err)
			}
		}
	})
}
