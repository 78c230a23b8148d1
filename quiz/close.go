package quiz

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// CloseInput asks to close a round before its deadline.
type CloseInput struct {
	Tenant
	RoundID uint64 // the round; 0 means the open round of Channel
	Channel string
	By      string // who asks (a user id; "" for the admin CLI)
	ByName  string // their display name, shown in a cancelled round's message
	// Manager: By may manage the channel, so it may close any round; anyone
	// else may close only a round they started.
	Manager bool
	// Cancel closes the round without scoring: its reveal shows no answer
	// and nobody's points, streaks or question statistics change.
	Cancel bool
}

// CloseRound brings an open round's deadline to now, so the reveal loop
// takes it at once (after the answer grace); with Cancel it is marked
// cancelled first. The update is conditional on the round still being
// open, so it cannot race a reveal that has begun.
func (s *Store) CloseRound(ctx context.Context, in CloseInput) (Round, error) {
	var r Round
	var err error
	if in.RoundID != 0 {
		r, err = s.Round(ctx, in.Tenant, in.RoundID)
	} else {
		r, err = s.OpenRoundIn(ctx, in.Tenant, in.Channel)
	}
	if err != nil {
		return Round{}, err
	}
	if !in.Manager && (r.OpenedBy == "" || r.OpenedBy != in.By) {
		return Round{}, Errorf(EForbidden, "Only the person who started round %d, or someone who can manage this channel, may close it.", r.ID)
	}
	now := s.Now()
	switch {
	case r.State == StatePosting:
		return Round{}, Errorf(EConflict, "Round %d is still being posted; try again in a moment.", r.ID)
	case r.State != StateOpen || !r.ClosesAt.After(now):
		return Round{}, Errorf(EConflict, "Round %d is already closed; its answer is being revealed.", r.ID)
	}
	upd := map[string]any{"closes_at": now}
	if in.Cancel {
		by := CleanName(in.ByName, MaxUserName)
		if by == "" {
			by = "an administrator"
		}
		upd["cancelled_by"] = truncate(by, 64)
	}
	res := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ? AND closes_at > ?", r.ID, StateOpen, now).Updates(upd)
	if res.Error != nil {
		return Round{}, fmt.Errorf("close round %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Round{}, Errorf(EConflict, "Round %d is already closed; its answer is being revealed.", r.ID)
	}
	r.ClosesAt = now
	if in.Cancel {
		r.CancelledBy = upd["cancelled_by"].(string)
	}
	return r, nil
}

// forgetCancelled undoes what a cancelled round's answers claimed: their
// points, and each person's first answer to its question, so the question
// can score for them when it is asked again.
func forgetCancelled(tx *gorm.DB, roundID uint64) error {
	if err := tx.Exec(`UPDATE answers SET points = 0, practice = ? WHERE round_id = ?`, true, roundID).Error; err != nil {
		return fmt.Errorf("unscore answers of round %d: %w", roundID, err)
	}
	if err := tx.Exec(`DELETE FROM first_answers WHERE round_id = ?`, roundID).Error; err != nil {
		return fmt.Errorf("forget first answers of round %d: %w", roundID, err)
	}
	return nil
}
