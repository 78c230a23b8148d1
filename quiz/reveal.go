package quiz

import (
	"context"
	"fmt"

	"github.com/asyncquiz/asyncquiz/questions"
)

// Result is what a reveal shows.
type Result struct {
	Round        Round
	Question     *questions.Question
	Counts       []int           // answers per option, by the option's index in the file
	Order        questions.Order // the order the round showed its options in
	Retired      bool            // the question left the bank; Question is nil
	Milestones   []Milestone     // daily streaks this round takes to 5, 10, 25, 50 or 100
	Total        int             // answers in all
	CorrectUsers []Answer        // right answers, earliest first
}

// Result computes a round's result from its committed answers.
// A round whose question left the bank since it was asked still has a
// result: its answers, with Retired set and no question to show.
func (s *Store) Result(ctx context.Context, r Round) (Result, error) {
	var answers []Answer
	if err := s.db.WithContext(ctx).Where("round_id = ?", r.ID).Order("answered_at, id").Find(&answers).Error; err != nil {
		return Result{}, fmt.Errorf("list answers of round %d: %w", r.ID, err)
	}
	q, err := s.Question(r.QuestionID)
	if err != nil {
		s.log.Info("Revealing a round whose question was retired", "round_id", r.ID, "question_id", r.QuestionID)
		res := Result{Round: r, Retired: true, Total: len(answers)}
		for _, a := range answers {
			if a.Correct {
				res.CorrectUsers = append(res.CorrectUsers, a)
			}
		}
		return res, nil
	}
	res := Result{Round: r, Question: q, Counts: make([]int, len(q.Options)), Total: len(answers), Order: r.Order(q)}
	if !r.Cancelled() {
		if _, res.Milestones, err = s.nextStreaks(s.db.WithContext(ctx), r, answers); err != nil {
			return Result{}, err
		}
	}
	for _, a := range answers {
		if i := q.Index(a.Option); i >= 0 {
			res.Counts[i]++
		}
		if a.Correct {
			res.CorrectUsers = append(res.CorrectUsers, a)
		}
	}
	return res, nil
}
