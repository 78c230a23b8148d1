package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const day = 24 * time.Hour

// RedoIntervals are the Leitner boxes: a missed question comes back after
// the first interval; each right redo moves it to the next box; a right redo
// in the last box graduates it; a wrong redo sends it back to the first.
var RedoIntervals = []time.Duration{3 * day, 7 * day, 16 * day, 35 * day}

// scheduleRedo puts the question in box 0, due in 3 days (insert or reset).
func scheduleRedo(tx *gorm.DB, t Tenant, user, questionID string, now time.Time) error {
	item := RedoItem{
		Platform: t.Platform, Team: t.Team, UserID: user, QuestionID: questionID,
		Box: 0, DueAt: now.Add(RedoIntervals[0]), CreatedAt: now, UpdatedAt: now,
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "user_id"}, {Name: "question_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"box", "due_at", "updated_at"}),
	}).Create(&item).Error
	if err != nil {
		return fmt.Errorf("schedule redo: %w", err)
	}
	return nil
}

// RedoCard is the next due redo question and how many are due in all.
type RedoCard struct {
	Item     RedoItem
	Question *questions.Question
	Due      int
	Order    questions.Order // the order this card shows the options in
}

// NextRedo returns the person's earliest due redo question. When nothing is
// due it returns ENotFound whose message says when the next one is due.
func (s *Store) NextRedo(ctx context.Context, t Tenant, user string) (RedoCard, error) {
	now := s.Now()
	db := s.db.WithContext(ctx)
	var items []RedoItem
	err := db.Where("platform = ? AND team = ? AND user_id = ? AND due_at <= ?", t.Platform, t.Team, user, now).
		Order("due_at, id").Find(&items).Error
	if err != nil {
		return RedoCard{}, fmt.Errorf("find due redo items: %w", err)
	}
	for _, it := range items {
		q, ok := s.bank.Get(it.QuestionID)
		if !ok {
			// Retired from the bank: nothing to ask again, so the item goes.
			if err := db.Delete(&RedoItem{}, it.ID).Error; err != nil {
				return RedoCard{}, fmt.Errorf("drop retired redo item: %w", err)
			}
			s.log.Info("Redo item dropped: its question was retired", "question_id", it.QuestionID, "platform", t.Platform, "team", t.Team)
			continue
		}
		// A new order each time the item comes back (its box or due time moved).
		order := q.Order(it.ID<<32 ^ uint64(it.DueAt.Unix()))
		return RedoCard{Item: it, Question: q, Due: len(items), Order: order}, nil
	}
	var next RedoItem
	err = db.Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).Order("due_at").First(&next).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return RedoCard{}, Errorf(ENotFound, "Your redo queue is empty. Questions you miss come back here 3 days later.")
	}
	if err != nil {
		return RedoCard{}, fmt.Errorf("find next redo item: %w", err)
	}
	return RedoCard{}, Errorf(ENotFound, "Nothing to redo right now. Your next redo question is due %s.",
		next.DueAt.In(s.loc).Format("Mon Jan 2 15:04 MST"))
}

// RedoOutcome reports one redo answer.
type RedoOutcome struct {
	Question  *questions.Question
	Option    string          // the file letter answered
	Order     questions.Order // the order the card showed
	Correct   bool
	Box       int       // the box it moved to (0 after a miss)
	Graduated bool      // true when a right answer in the last box retired it
	NextDue   time.Time // when it comes back, unless graduated
}

// AnswerRedo answers a due redo question; option is the letter as shown in
// the order the card showed (RedoCard.Order.String(); "" for the file's
// order). A click on a question that is not due (answered already, or a
// double click) returns EConflict and changes nothing; an unknown letter
// returns EInvalid.
func (s *Store) AnswerRedo(ctx context.Context, t Tenant, user, questionID, shownOrder, option string) (RedoOutcome, error) {
	now := s.Now()
	q, err := s.Question(questionID)
	if err != nil {
		return RedoOutcome{}, err
	}
	order := orderOf(shownOrder, q)
	letter := order.Canonical(option)
	if letter == "" {
		return RedoOutcome{}, Errorf(EInvalid, "There is no option %q; choose %s.", option, letterRange(q))
	}
	out := RedoOutcome{Question: q, Option: letter, Order: order, Correct: q.IsCorrect(letter)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var it RedoItem
		err := tx.Where("platform = ? AND team = ? AND user_id = ? AND question_id = ?", t.Platform, t.Team, user, questionID).
			First(&it).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && it.DueAt.After(now)) {
			return Errorf(EConflict, "You already answered this redo question; it is not due again yet.")
		}
		if err != nil {
			return fmt.Errorf("find redo item: %w", err)
		}
		// The conditional update makes a double click advance the box once.
		cond := tx.Model(&RedoItem{}).Where("id = ? AND box = ? AND due_at = ?", it.ID, it.Box, it.DueAt)
		var res *gorm.DB
		switch {
		case !out.Correct:
			out.NextDue = now.Add(RedoIntervals[0])
			res = cond.Select("box", "due_at", "updated_at").Updates(&RedoItem{Box: 0, DueAt: out.NextDue, UpdatedAt: now})
		case it.Box+1 >= len(RedoIntervals):
			out.Graduated, out.Box = true, it.Box
			res = tx.Where("id = ? AND box = ? AND due_at = ?", it.ID, it.Box, it.DueAt).Delete(&RedoItem{})
		default:
			out.Box = it.Box + 1
			out.NextDue = now.Add(RedoIntervals[out.Box])
			res = cond.Select("box", "due_at", "updated_at").Updates(&RedoItem{Box: out.Box, DueAt: out.NextDue, UpdatedAt: now})
		}
		if res.Error != nil {
			return fmt.Errorf("update redo item: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return Errorf(EConflict, "You already answered this redo question; it is not due again yet.")
		}
		at := Attempt{
			Platform: t.Platform, Team: t.Team, UserID: user, QuestionID: q.ID, Category: q.Category,
			Mode: "redo", Option: letter, Correct: out.Correct, At: now,
		}
		if err := tx.Create(&at).Error; err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
		return nil
	})
	if err != nil {
		return RedoOutcome{}, err
	}
	return out, nil
}

// RedoSummary counts a person's redo queue.
type RedoSummary struct {
	Due     int
	Total   int
	NextDue *time.Time // earliest due time among items not due yet
}

// Redos summarizes the person's redo queue.
func (s *Store) Redos(ctx context.Context, t Tenant, user string) (RedoSummary, error) {
	now := s.Now()
	var items []RedoItem
	err := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).
		Order("due_at").Find(&items).Error
	if err != nil {
		return RedoSummary{}, fmt.Errorf("list redo items: %w", err)
	}
	var sum RedoSummary
	for _, it := range items {
		sum.Total++
		if !it.DueAt.After(now) {
			sum.Due++
		} else if sum.NextDue == nil {
			d := it.DueAt
			sum.NextDue = &d
		}
	}
	return sum, nil
}
