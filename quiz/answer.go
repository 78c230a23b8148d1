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

// AnswerInput is one click on a round's option.
type AnswerInput struct {
	Tenant
	// Channel is where the click came from, and MessageRef the message
	// clicked when the platform says (Discord, Slack): a click counts only
	// on the round's own message in the round's own channel.
	Channel    string
	MessageRef string
	RoundID    uint64
	UserID     string
	UserName   string
	Option     string // the letter as shown (the round's order maps it to the file's)
}

// AnswerResult reports the answer that stands for the person.
type AnswerResult struct {
	Round  Round
	Option string // the first answer, which is the one that counts (file letter)
	Shown  string // Option as the round shows it
	// Recorded is true when this call stored the answer, false when an
	// earlier answer already stood (a retry, a double or a changed click).
	Recorded bool
}

// Answer records a person's answer to a round. The first answer per person
// wins; later ones change nothing and report the first. It returns only once
// the answer is committed. Errors: ENotFound for a round of another tenant or
// none, EClosed after the deadline, EInvalid for a letter that is not an option.
func (s *Store) Answer(ctx context.Context, in AnswerInput) (AnswerResult, error) {
	now := s.Now()
	var res AnswerResult
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Round
		// FOR SHARE (PostgreSQL) orders this against a concurrent reveal
		// claim, so no answer is committed after the round was counted.
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).
			Where("id = ? AND platform = ? AND team = ?", in.RoundID, in.Platform, in.Team).First(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) ||
			(err == nil && (r.Channel != in.Channel || (in.MessageRef != "" && r.MessageRef != "" && in.MessageRef != r.MessageRef))) {
			return Errorf(ENotFound, "This round is not known here.")
		}
		if err != nil {
			return fmt.Errorf("find round %d: %w", in.RoundID, err)
		}
		res.Round = r
		q, err := s.Question(r.QuestionID)
		if err != nil {
			return err
		}
		order := r.Order(q)
		report := func(option string) {
			res.Option, res.Shown = option, order.Shown(q.Index(option))
		}
		var prev Answer
		err = tx.Where("round_id = ? AND user_id = ?", r.ID, in.UserID).First(&prev).Error
		if err == nil {
			report(prev.Option)
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("find answer: %w", err)
		}
		if r.State != StateOpen || !now.Before(r.ClosesAt) {
			return Errorf(EClosed, "This round is closed.")
		}
		letter := order.Canonical(in.Option)
		if letter == "" {
			return Errorf(EInvalid, "There is no option %q; choose %s.", in.Option, letterRange(q))
		}
		a := Answer{
			RoundID: r.ID, UserID: in.UserID, Platform: r.Platform, Team: r.Team, Channel: r.Channel,
			UserName: in.UserName, Option: letter, Correct: q.IsCorrect(letter), AnsweredAt: now,
		}
		if a.Correct {
			a.Points = q.Difficulty
		}
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a)
		if ins.Error != nil {
			return fmt.Errorf("insert answer: %w", ins.Error)
		}
		if ins.RowsAffected == 0 {
			// Another transaction inserted first; report its answer.
			if err := tx.Where("round_id = ? AND user_id = ?", r.ID, in.UserID).First(&prev).Error; err != nil {
				return fmt.Errorf("find answer: %w", err)
			}
			report(prev.Option)
			return nil
		}
		report(letter)
		res.Recorded = true
		return s.recordAttempt(tx, in.Tenant, in.UserID, q, "round", letter, now)
	})
	if err != nil {
		return AnswerResult{}, err
	}
	return res, nil
}

// recordAttempt stores an attempt for stats and, when it is wrong, puts the
// question into the person's redo queue (or back to its first box).
func (s *Store) recordAttempt(tx *gorm.DB, t Tenant, user string, q *questions.Question, mode, letter string, now time.Time) error {
	at := Attempt{
		Platform: t.Platform, Team: t.Team, UserID: user, QuestionID: q.ID, Category: q.Category,
		Mode: mode, Option: letter, Correct: q.IsCorrect(letter), At: now,
	}
	if err := tx.Create(&at).Error; err != nil {
		return fmt.Errorf("insert attempt: %w", err)
	}
	if at.Correct {
		return nil
	}
	return scheduleRedo(tx, t, user, q.ID, now)
}

func letterRange(q *questions.Question) string {
	return "A-" + questions.Letter(len(q.Options)-1)
}
