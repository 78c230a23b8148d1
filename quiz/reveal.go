package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
)

// DefaultLease is how long a reveal claim stands before another replica may
// take the round over (the claimer died or hangs).
const DefaultLease = 2 * time.Minute

// ClaimDue claims up to limit rounds that are due for their reveal: open
// rounds past their deadline, and rounds whose claim is older than lease.
// Each round is claimed with a conditional update, so however many replicas
// call ClaimDue at once, each round goes to exactly one of them.
func (s *Store) ClaimDue(ctx context.Context, lease time.Duration, limit int) ([]Round, error) {
	now := s.Now()
	stale := now.Add(-lease)
	db := s.db.WithContext(ctx)
	var cands []Round
	err := db.Where("(state = ? AND closes_at <= ?) OR (state = ? AND claimed_at <= ?)", StateOpen, now, StateRevealing, stale).
		Order("closes_at, id").Limit(limit).Find(&cands).Error
	if err != nil {
		return nil, fmt.Errorf("find due rounds: %w", err)
	}
	var won []Round
	for _, r := range cands {
		res := db.Model(&Round{}).
			Where("id = ? AND ((state = ? AND closes_at <= ?) OR (state = ? AND claimed_at <= ?))", r.ID, StateOpen, now, StateRevealing, stale).
			Updates(map[string]any{"state": StateRevealing, "claimed_at": now, "open_key": nil, "attempts": gorm.Expr("attempts + 1")})
		if res.Error != nil {
			return won, fmt.Errorf("claim round %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			r.State, r.ClaimedAt, r.OpenKey, r.Attempts = StateRevealing, &now, nil, r.Attempts+1
			won = append(won, r)
		}
	}
	return won, nil
}

// FinishReveal marks a claimed round revealed. It returns EConflict when the
// round is no longer claimed (another replica took it over and finished).
func (s *Store) FinishReveal(ctx context.Context, roundID uint64) error {
	now := s.Now()
	res := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", roundID, StateRevealing).
		Updates(map[string]any{"state": StateRevealed, "revealed_at": now, "last_error": ""})
	if res.Error != nil {
		return fmt.Errorf("finish reveal of round %d: %w", roundID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(EConflict, "Round %d is not being revealed.", roundID)
	}
	return nil
}

// DeferReveal records a failed reveal attempt and when to try again; after
// maxAttempts the round is marked failed.
func (s *Store) DeferReveal(ctx context.Context, r Round, lease time.Duration, retryIn time.Duration, cause error, maxAttempts int) error {
	upd := map[string]any{"last_error": truncate(cause.Error(), 500)}
	if r.Attempts >= maxAttempts {
		upd["state"] = StateFailed
	} else {
		// Back-date the claim so the lease runs out after retryIn.
		upd["claimed_at"] = s.Now().Add(retryIn - lease)
	}
	err := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", r.ID, StateRevealing).Updates(upd).Error
	if err != nil {
		return fmt.Errorf("defer reveal of round %d: %w", r.ID, err)
	}
	return nil
}

// NextWake returns the earliest time a round becomes due for a reveal (a
// deadline or an expiring claim), or false when none is pending.
func (s *Store) NextWake(ctx context.Context, lease time.Duration) (time.Time, bool, error) {
	db := s.db.WithContext(ctx)
	var open Round
	var next time.Time
	found := false
	err := db.Where("state = ?", StateOpen).Order("closes_at").First(&open).Error
	switch {
	case err == nil:
		next, found = open.ClosesAt, true
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return time.Time{}, false, fmt.Errorf("find next deadline: %w", err)
	}
	var claimed Round
	err = db.Where("state IN ?", []string{StateRevealing, StatePosting}).Order("claimed_at").First(&claimed).Error
	switch {
	case err == nil && claimed.ClaimedAt != nil:
		t := claimed.ClaimedAt.Add(lease)
		if !found || t.Before(next) {
			next, found = t, true
		}
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		return time.Time{}, false, fmt.Errorf("find next claim expiry: %w", err)
	}
	return next, found, nil
}

// Result is what a reveal shows.
type Result struct {
	Round        Round
	Question     *questions.Question
	Counts       []int           // answers per option, by the option's index in the file
	Order        questions.Order // the order the round showed its options in
	Total        int             // answers in all
	CorrectUsers []Answer        // right answers, earliest first
}

// Result computes a round's result from its committed answers.
func (s *Store) Result(ctx context.Context, r Round) (Result, error) {
	q, err := s.Question(r.QuestionID)
	if err != nil {
		return Result{}, err
	}
	var answers []Answer
	if err := s.db.WithContext(ctx).Where("round_id = ?", r.ID).Order("answered_at, id").Find(&answers).Error; err != nil {
		return Result{}, fmt.Errorf("list answers of round %d: %w", r.ID, err)
	}
	res := Result{Round: r, Question: q, Counts: make([]int, len(q.Options)), Total: len(answers), Order: r.Order(q)}
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
