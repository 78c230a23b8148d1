package quiz

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// MarkPosted records a pending round's message and opens it for answers.
// It returns EConflict when the round is no longer pending (another replica
// posted it, or it failed).
func (s *Store) MarkPosted(ctx context.Context, roundID uint64, ref string) error {
	res := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", roundID, StatePosting).
		Updates(map[string]any{"state": StateOpen, "message_ref": ref, "claimed_at": nil, "attempts": 0, "last_error": ""})
	if res.Error != nil {
		return fmt.Errorf("mark round %d posted: %w", roundID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(EConflict, "Round %d is not waiting to be posted.", roundID)
	}
	return nil
}

// ClaimPosts claims pending rounds whose previous post attempt failed or was
// abandoned (claim older than lease). A pending round whose deadline has
// passed is marked failed instead: it is too late to post it.
func (s *Store) ClaimPosts(ctx context.Context, lease time.Duration, limit int) ([]Round, error) {
	now := s.Now()
	db := s.db.WithContext(ctx)
	err := db.Model(&Round{}).Where("state = ? AND closes_at <= ?", StatePosting, now).
		Updates(map[string]any{"state": StateFailed, "open_key": nil, "last_error": gorm.Expr("'deadline passed before it could be posted: ' || last_error")}).Error
	if err != nil {
		return nil, fmt.Errorf("expire pending rounds: %w", err)
	}
	stale := now.Add(-lease)
	var cands []Round
	if err := db.Where("state = ? AND claimed_at <= ?", StatePosting, stale).Order("id").Limit(limit).Find(&cands).Error; err != nil {
		return nil, fmt.Errorf("find pending rounds: %w", err)
	}
	var won []Round
	for _, r := range cands {
		res := db.Model(&Round{}).Where("id = ? AND state = ? AND claimed_at <= ?", r.ID, StatePosting, stale).
			Updates(map[string]any{"claimed_at": now, "attempts": gorm.Expr("attempts + 1")})
		if res.Error != nil {
			return won, fmt.Errorf("claim round %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			r.ClaimedAt, r.Attempts = &now, r.Attempts+1
			won = append(won, r)
		}
	}
	return won, nil
}

// DeferPost records a failed post attempt and when to try again; after
// maxAttempts the round is marked failed and its channel freed.
func (s *Store) DeferPost(ctx context.Context, r Round, lease, retryIn time.Duration, cause error, maxAttempts int) error {
	upd := map[string]any{"last_error": truncate(cause.Error(), 500)}
	if r.Attempts+1 >= maxAttempts {
		upd["state"], upd["open_key"] = StateFailed, nil
	} else {
		// Count this attempt and back-date the claim so it expires after retryIn.
		upd["attempts"] = gorm.Expr("attempts + 1")
		upd["claimed_at"] = s.Now().Add(retryIn - lease)
	}
	err := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", r.ID, StatePosting).Updates(upd).Error
	if err != nil {
		return fmt.Errorf("defer post of round %d: %w", r.ID, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Rounds lists rounds in the given states, newest first, for the admin CLI.
func (s *Store) Rounds(ctx context.Context, states []string, limit int) ([]Round, error) {
	var out []Round
	if err := s.db.WithContext(ctx).Where("state IN ?", states).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list rounds: %w", err)
	}
	return out, nil
}
