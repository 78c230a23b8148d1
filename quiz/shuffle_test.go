package quiz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

func shuffledStore(t *testing.T, db *quiztest.DB) (*quiz.Store, *quiztest.Clock) {
	clk := quiztest.NewClock(quiztest.Start)
	return quiztest.OpenStore(t, db, quiztest.ShuffledBank(), quiztest.Exact(clk)...), clk
}

func TestStore_ShuffledRound(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := shuffledStore(t, db)

		t.Run("EveryShownLetterIsTheKeyAboutEquallyOften", func(t *testing.T) {
			const rounds = 400
			shown := map[string]int{}
			for i := 0; i < rounds; i++ {
				r, q := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: fmt.Sprintf("S%d", i), Duration: time.Minute, QuestionID: "core-easy-1"})
				shown[r.Order(q).Shown(q.AnswerIndex())]++
			}
			for _, l := range []string{"A", "B", "C", "D"} {
				// 25% expected; 400 draws put 3 standard deviations at about ±6.5%.
				if got := float64(shown[l]) / rounds; got < 0.18 || got > 0.32 {
					t.Errorf("key shown as %s in %.0f%% of rounds, want about 25%% (%v)", l, got*100, shown)
				}
			}
		})

		r, q := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: "C1", Duration: time.Minute, QuestionID: "core-medium-1"})
		order := r.Order(q)

		t.Run("OneOrderForTheRound", func(t *testing.T) {
			again, err := s.Round(ctx, teamA, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := again.OptionOrder, r.OptionOrder; got != want || got != q.Order(r.ID).String() {
				t.Fatalf("stored order %q, opened with %q, want both %q", got, want, q.Order(r.ID).String())
			}
		})

		right := order.Shown(q.AnswerIndex()) // the letter people see for "right"
		wrong := order.Shown(0)               // file option A is "wrong one"
		t.Run("ClickIsStoredByFileLetter", func(t *testing.T) {
			res, err := answer(s, r.ID, "U1", right)
			if err != nil {
				t.Fatal(err)
			}
			if res.Option != "B" || res.Shown != right {
				t.Fatalf("Option=%q Shown=%q, want B and %q", res.Option, res.Shown, right)
			}
			if _, err := answer(s, r.ID, "U2", wrong); err != nil {
				t.Fatal(err)
			}
			var got []quiz.Answer
			if err := db.Where("round_id = ?", r.ID).Order("user_id").Find(&got).Error; err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Option != "B" || !got[0].Correct || got[0].Points != 2 || got[1].Option != "A" || got[1].Correct {
				t.Fatalf("stored %+v, want U1 B right 2 points, U2 A wrong", got)
			}
			res, err = answer(s, r.ID, "U1", wrong)
			if err != nil || res.Recorded || res.Shown != right {
				t.Fatalf("second click: %+v, %v; want the first answer, shown as %s", res, err, right)
			}
		})

		t.Run("RevealCountsByOption", func(t *testing.T) {
			clk.Add(time.Minute)
			claimed, err := s.ClaimDue(ctx, quiz.DefaultLease, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claimed {
				if c.ID != r.ID {
					continue
				}
				res, err := s.Result(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(res.Counts) != "[1 1 0 0]" || res.Order.String() != r.OptionOrder {
					t.Fatalf("Counts=%v Order=%q, want [1 1 0 0] by file option and order %q", res.Counts, res.Order, r.OptionOrder)
				}
				return
			}
			t.Fatalf("round %d was not claimed", r.ID)
		})
	})
}

// A round opened before options were shuffled has no stored order: it shows
// and scores in the file's order, as it did when its answers were given.
func TestStore_RoundFromBeforeShuffling(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		s, _ := shuffledStore(t, db)
		r, q := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: "C1", Duration: time.Minute, QuestionID: "core-easy-2"})
		if err := db.Model(&quiz.Round{}).Where("id = ?", r.ID).Update("option_order", "").Error; err != nil {
			t.Fatal(err)
		}
		old, err := s.Round(context.Background(), teamA, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := old.Order(q).String(); got != "" {
			t.Fatalf("order %q, want the file's", got)
		}
		res, err := answer(s, r.ID, "U1", "B")
		if err != nil || res.Option != "B" || res.Shown != "B" {
			t.Fatalf("answer B: %+v, %v", res, err)
		}
		var a quiz.Answer
		if err := db.Where("round_id = ?", r.ID).First(&a).Error; err != nil || !a.Correct {
			t.Fatalf("stored %+v, %v; want B correct", a, err)
		}
	})
}

// Drill cards each get their own order, and the answer is scored through it.
func TestStore_ShuffledDrill(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, _ := shuffledStore(t, db)
		card, err := s.StartDrill(ctx, quiz.DrillInput{Tenant: teamA, UserID: "U1", Count: 3})
		if err != nil {
			t.Fatal(err)
		}
		orders := map[string]bool{}
		for card.Seq > 0 {
			orders[card.Order.String()] = true
			right := card.Order.Shown(card.Question.AnswerIndex())
			step, err := s.AnswerDrill(ctx, teamA, "U1", card.DrillID, card.Seq, right)
			if err != nil {
				t.Fatal(err)
			}
			if !step.Correct || step.Option != "B" {
				t.Fatalf("answered the shown key %s: %+v, want right, file letter B", right, step)
			}
			if step.Next == nil {
				if step.Summary.Correct != 3 {
					t.Fatalf("summary %+v, want 3 right", step.Summary)
				}
				break
			}
			card = *step.Next
		}
		if len(orders) < 2 {
			t.Errorf("three cards showed orders %v, want them to differ", orders)
		}
	})
}

func TestStore_ShuffledRedo(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := shuffledStore(t, db)
		r, q := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: "C1", Duration: time.Minute, QuestionID: "core-hard-1"})
		if _, err := answer(s, r.ID, "U1", r.Order(q).Shown(0)); err != nil { // wrong: into the redo queue
			t.Fatal(err)
		}
		clk.Add(quiz.RedoIntervals[0])
		card, err := s.NextRedo(ctx, teamA, "U1")
		if err != nil {
			t.Fatal(err)
		}
		shown := card.Order.Shown(card.Question.AnswerIndex())
		out, err := s.AnswerRedo(ctx, teamA, "U1", card.Question.ID, card.Order.String(), shown)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Correct || out.Option != "B" {
			t.Fatalf("redo answered with the shown key %s: %+v, want right", shown, out)
		}
		var at quiz.Attempt
		if err := db.Where("mode = ?", "redo").First(&at).Error; err != nil || at.Option != "B" {
			t.Fatalf("redo attempt %+v, %v; want file letter B", at, err)
		}
	})
}
