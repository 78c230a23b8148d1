package quiz

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// A round's life, and who may write its message at each step:
//
//	posting  → open       MarkPosted (the poster, holding the posting claim)
//	posting  → failed     DeferPost after its last attempt, FailRound
//	open     → open       ClaimRefresh/ReleaseRefresh (a count refresh);
//	                      CloseRound (stop or cancel: the deadline becomes now)
//	open     → revealing  ClaimDue, once closes_at has passed and no refresh holds it
//	revealing → revealed  FinishReveal (a cancelled round scores nothing)
//	revealing → failed    DeferReveal after its last attempt, FailRound
//
// Every step is one conditional UPDATE on the expected state, so across any
// number of replicas exactly one of them holds a round's message at a time,
// and the reveal's edit is the last one.

// DefaultLease is how long a posting or reveal claim stands before another
// replica may take the round over (the claimer died or hangs).
const DefaultLease = 2 * time.Minute

// RefreshLease bounds a count-refresh claim; a refresh's edit has a shorter
// deadline, so a lapsed claim means the edit is over.
const RefreshLease = 30 * time.Second

// claimDueWhere is a round due for its reveal: open past its deadline and
// its answer grace with no count refresh under way, or a reveal claim that
// lapsed.
const claimDueWhere = `((state = @open AND closes_at <= @due AND (refresh_until IS NULL OR refresh_until <= @now))
	OR (state = @revealing AND claimed_at <= @stale))`

// ClaimDue claims up to limit rounds that are due for their reveal, never
// more (RevealDue gives each a worker slot). One statement claims the
// batch, so however many replicas call it at once, each round goes to
// exactly one of them (PostgreSQL skips rows another replica is claiming
// instead of waiting for it).
func (s *Store) ClaimDue(ctx context.Context, lease time.Duration, limit int) ([]Round, error) {
	now := s.Now()
	args := map[string]any{"open": StateOpen, "revealing": StateRevealing, "now": now, "due": now.Add(-s.grace),
		"stale": now.Add(-lease), "limit": limit}
	var won []Round
	err := s.db.WithContext(ctx).Raw(`WITH batch AS MATERIALIZED (SELECT id FROM rounds WHERE `+claimDueWhere+` ORDER BY closes_at, id LIMIT @limit`+s.skipLocked()+`)
		UPDATE rounds SET state = @revealing, claimed_at = @now, open_key = NULL, attempts = attempts + 1
		WHERE id IN (SELECT id FROM batch) AND `+claimDueWhere+` RETURNING *`, args).Scan(&won).Error
	if err != nil {
		return nil, fmt.Errorf("claim due rounds: %w", err)
	}
	return won, nil
}

// skipLocked makes a claiming subquery pass over rows another transaction
// holds (PostgreSQL); SQLite has one writer and no row locks.
//
// The claiming subquery is a MATERIALIZED common table expression, run
// once: as `WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`
// PostgreSQL may plan it as the inner side of a nested loop and run it
// again for every row, each run skipping the rows the statement has just
// claimed, so the LIMIT bounded nothing and one call claimed every due
// round.
func (s *Store) skipLocked() string {
	if s.postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// FinishReveal marks a claimed round revealed. It returns EConflict when the
// round is no longer claimed (another replica took it over and finished).
// The round's answers are added to the leaderboards in the same
// transaction, so a reveal counts exactly once.
func (s *Store) FinishReveal(ctx context.Context, roundID uint64) error {
	now := s.Now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var won []Round
		err := tx.Raw(`UPDATE rounds SET state = ?, revealed_at = ?, last_error = '' WHERE id = ? AND state = ? RETURNING *`,
			StateRevealed, now, roundID, StateRevealing).Scan(&won).Error
		if err != nil {
			return fmt.Errorf("finish reveal of round %d: %w", roundID, err)
		}
		if len(won) == 0 {
			return Errorf(EConflict, "Round %d is not being revealed.", roundID)
		}
		r := won[0]
		if r.Cancelled() {
			return forgetCancelled(tx, roundID)
		}
		var answers []Answer
		if err := tx.Where("round_id = ?", roundID).Order("answered_at, id").Find(&answers).Error; err != nil {
			return fmt.Errorf("list answers: %w", err)
		}
		streaks, _, err := s.nextStreaks(tx, r, answers)
		if err != nil {
			return err
		}
		if err := saveStreaks(tx, streaks); err != nil {
			return err
		}
		if err := addItemTotals(tx, r, answers); err != nil {
			return err
		}
		if len(answers) == 0 {
			return nil // nothing to score or to count in the histograms
		}
		if err := s.upsertScores(tx, answers); err != nil {
			return err
		}
		return addItemHistograms(tx, r) // after the scores: it reads them
	})
}

// DeferReveal records a failed reveal attempt and when to try again; after
// maxAttempts the round is marked failed.
func (s *Store) DeferReveal(ctx context.Context, r Round, lease time.Duration, retryIn time.Duration, cause error, maxAttempts int) error {
	upd := Round{LastError: truncate(cause.Error(), maxLastError)}
	cols := []string{"last_error"}
	if r.Attempts >= maxAttempts {
		upd.State, cols = StateFailed, append(cols, "state")
	} else {
		// Back-date the claim so the lease runs out after retryIn.
		at := s.Now().Add(retryIn - lease)
		upd.ClaimedAt, cols = &at, append(cols, "claimed_at")
	}
	err := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", r.ID, StateRevealing).Select(cols).Updates(&upd).Error
	if err != nil {
		return fmt.Errorf("defer reveal of round %d: %w", r.ID, err)
	}
	return nil
}

// MarkPosted records a posting round's message and opens it for answers.
// It returns EConflict when the round is no longer posting (another replica
// posted it after this one's claim lapsed, or it failed).
func (s *Store) MarkPosted(ctx context.Context, roundID uint64, ref string) error {
	res := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", roundID, StatePosting).
		Select("state", "message_ref", "claimed_at", "attempts", "last_error").
		Updates(&Round{State: StateOpen, MessageRef: ref})
	if res.Error != nil {
		return fmt.Errorf("mark round %d posted: %w", roundID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(EConflict, "Round %d is not waiting to be posted.", roundID)
	}
	return nil
}

// ClaimPosts claims posting rounds whose previous attempt failed or was
// abandoned (claim older than lease). A posting round whose deadline has
// passed is marked failed instead: it is too late to post it.
func (s *Store) ClaimPosts(ctx context.Context, lease time.Duration, limit int) ([]Round, error) {
	now := s.Now()
	db := s.db.WithContext(ctx)
	// Only a round nobody is posting now: one whose post is in flight may
	// still land, and is then opened and revealed at once.
	stale := now.Add(-lease)
	err := db.Exec(`UPDATE rounds SET state = ?, open_key = NULL, last_error = ? || last_error
		WHERE state = ? AND closes_at <= ? AND claimed_at <= ?`,
		StateFailed, "deadline passed before it could be posted: ", StatePosting, now, stale).Error
	if err != nil {
		return nil, fmt.Errorf("expire posting rounds: %w", err)
	}
	args := map[string]any{"posting": StatePosting, "now": now, "stale": now.Add(-lease), "limit": limit}
	var won []Round
	err = db.Raw(`WITH batch AS MATERIALIZED (SELECT id FROM rounds WHERE state = @posting AND claimed_at <= @stale ORDER BY id LIMIT @limit`+s.skipLocked()+`)
		UPDATE rounds SET claimed_at = @now, attempts = attempts + 1
		WHERE id IN (SELECT id FROM batch) AND state = @posting AND claimed_at <= @stale RETURNING *`, args).Scan(&won).Error
	if err != nil {
		return nil, fmt.Errorf("claim posting rounds: %w", err)
	}
	return won, nil
}

// DeferPost records a failed post attempt and when to try again; after
// maxAttempts the round is marked failed and its channel freed.
func (s *Store) DeferPost(ctx context.Context, r Round, lease, retryIn time.Duration, cause error, maxAttempts int) error {
	db := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state = ?", r.ID, StatePosting)
	var err error
	if r.Attempts+1 >= maxAttempts {
		err = db.Select("state", "open_key", "last_error").
			Updates(&Round{State: StateFailed, LastError: truncate(cause.Error(), maxLastError)}).Error
	} else {
		// Count this attempt and back-date the claim so it expires after retryIn.
		at := s.Now().Add(retryIn - lease)
		err = db.Select("attempts", "claimed_at", "last_error").
			Updates(&Round{Attempts: r.Attempts + 1, ClaimedAt: &at, LastError: truncate(cause.Error(), maxLastError)}).Error
	}
	if err != nil {
		return fmt.Errorf("defer post of round %d: %w", r.ID, err)
	}
	return nil
}

// FailRound marks a posting or revealing round failed (it could not be
// posted or revealed) and frees its channel. It returns EConflict when the
// round is in neither state, so a late failure never undoes a reveal.
func (s *Store) FailRound(ctx context.Context, roundID uint64, reason string) error {
	res := s.db.WithContext(ctx).Model(&Round{}).Where("id = ? AND state IN ?", roundID, []string{StatePosting, StateRevealing}).
		Select("state", "open_key", "last_error").Updates(&Round{State: StateFailed, LastError: truncate(reason, maxLastError)})
	if res.Error != nil {
		return fmt.Errorf("fail round %d: %w", roundID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(EConflict, "Round %d is not being posted or revealed.", roundID)
	}
	return nil
}

// ClaimRefresh takes the round's message for an answer-count edit. It wins
// only while the round is open with its message posted, its deadline is more
// than guard away, and no other refresh holds it; until ReleaseRefresh (or
// RefreshLease) the reveal leaves the round alone. The returned round
// carries the claim's expiry, which ReleaseRefresh needs.
func (s *Store) ClaimRefresh(ctx context.Context, roundID uint64, guard time.Duration) (Round, bool, error) {
	now := s.Now()
	args := map[string]any{"id": roundID, "open": StateOpen, "now": now, "until": now.Add(RefreshLease), "guard": now.Add(guard)}
	var won []Round
	err := s.db.WithContext(ctx).Raw(`UPDATE rounds SET refresh_until = @until
		WHERE id = @id AND state = @open AND message_ref <> '' AND closes_at > @guard
		AND (refresh_until IS NULL OR refresh_until <= @now) RETURNING *`, args).Scan(&won).Error
	if err != nil {
		return Round{}, false, fmt.Errorf("claim refresh of round %d: %w", roundID, err)
	}
	if len(won) == 0 {
		return Round{}, false, nil
	}
	return won[0], true, nil
}

// ReleaseRefresh gives the round's message back after a refresh, if the
// claim is still the caller's.
func (s *Store) ReleaseRefresh(ctx context.Context, r Round) error {
	if r.RefreshUntil == nil {
		return nil
	}
	// Any claim up to ours is ours or lapsed; a later one is another's.
	err := s.db.WithContext(ctx).Exec(`UPDATE rounds SET refresh_until = NULL WHERE id = ? AND refresh_until <= ?`, r.ID, *r.RefreshUntil).Error
	if err != nil {
		return fmt.Errorf("release refresh of round %d: %w", r.ID, err)
	}
	return nil
}

// NextWake returns the earliest time a round needs the loop: when an open
// round becomes revealable (its deadline, or the end of a refresh claim that
// holds it back) or when a claim lapses. It reports false when nothing is
// pending.
//
// Both reads walk idx_rounds_state_closes: the first open round no refresh
// holds, then the held ones before it (a held round's wake is at least its
// deadline, so none after it can come sooner). Ordering every open round by
// its wake instead sorted them all on each call, and the loop plans after
// every round opened.
func (s *Store) NextWake(ctx context.Context, lease time.Duration) (time.Time, bool, error) {
	db := s.db.WithContext(ctx)
	var open []Round
	err := db.Where("state = ? AND (refresh_until IS NULL OR refresh_until <= closes_at)", StateOpen).
		Order("closes_at").Limit(1).Find(&open).Error
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find next deadline: %w", err)
	}
	held := db.Where("state = ? AND refresh_until > closes_at", StateOpen)
	if len(open) == 1 {
		held = held.Where("closes_at < ?", open[0].ClosesAt)
	}
	var heldBack []Round
	if err := held.Find(&heldBack).Error; err != nil {
		return time.Time{}, false, fmt.Errorf("find rounds held by a refresh: %w", err)
	}
	var claimed []Round
	err = db.Where("state IN ? AND claimed_at IS NOT NULL", []string{StateRevealing, StatePosting}).Order("claimed_at").Limit(1).Find(&claimed).Error
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find next claim expiry: %w", err)
	}
	var next time.Time
	found := false
	for _, r := range append(open, heldBack...) {
		t := r.ClosesAt.Add(s.grace)
		if u := r.RefreshUntil; u != nil && u.After(t) {
			t = *u
		}
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	if len(claimed) == 1 {
		if t := claimed[0].ClaimedAt.Add(lease); !found || t.Before(next) {
			next, found = t, true
		}
	}
	return next, found, nil
}

// maxLastError is the size of rounds.last_error.
const maxLastError = 500

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Rounds lists rounds in the given states, newest first, for the admin CLI.
func (s *Store) Rounds(ctx context.Context, states []string, limit int) ([]Round, error) {
	var out []Round
	if err := s.db.WithContext(ctx).Where("state IN ?", states).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list rounds: %w", err)
	}
	return out, nil
}
