package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Score is one person's total in one leaderboard: a tenant, a scope (a
// channel, or "" for the whole team) and a period ("all", "w2026-11-16",
// "m2026-11", "q2026-4", in the store's time zone). Reveals add to it, so
// a leaderboard is an index lookup, never a scan of answers.
type Score struct {
	Platform  string    `gorm:"primaryKey;size:16;index:idx_scores_rank,priority:1"`
	Team      string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:2"`
	Channel   string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:3"`
	Period    string    `gorm:"primaryKey;size:16;index:idx_scores_rank,priority:4"`
	UserID    string    `gorm:"primaryKey;size:64;index:idx_scores_rank,priority:8"`
	UserName  string    `gorm:"size:100"`
	Points    int       `gorm:"not null;index:idx_scores_rank,priority:5,sort:desc"`
	Correct   int       `gorm:"not null;index:idx_scores_rank,priority:6,sort:desc"`
	Answers   int       `gorm:"not null"`
	ReachedAt time.Time `gorm:"not null;index:idx_scores_rank,priority:7"` // when the points last grew: ties go to who got there first
}

// Setting is a value the store keeps about itself (the time zone scores
// were bucketed in).
type Setting struct {
	Name  string `gorm:"primaryKey;size:64"`
	Value string `gorm:"size:200;not null"`
}

// periodKeys are the leaderboard periods an instant belongs to.
func periodKeys(t time.Time, loc *time.Location) []string {
	l := t.In(loc)
	week := PeriodStart(PeriodWeek, t, loc).In(loc)
	return []string{
		PeriodAll,
		"w" + week.Format("2006-01-02"),
		"m" + l.Format("2006-01"),
		fmt.Sprintf("q%d-%d", l.Year(), (int(l.Month())-1)/3+1),
	}
}

// periodKey is the key of the period of kind containing t.
func periodKey(kind string, t time.Time, loc *time.Location) string {
	keys := periodKeys(t, loc)
	switch kind {
	case PeriodWeek:
		return keys[1]
	case PeriodMonth:
		return keys[2]
	case PeriodQuarter:
		return keys[3]
	}
	return PeriodAll
}

// upsertScores adds answers to their leaderboards; FinishReveal calls it
// inside the transaction that marks the round revealed, so a reveal counts
// exactly once.
func (s *Store) upsertScores(tx *gorm.DB, answers []Answer) error {
	rows := make(map[[5]string]*Score)
	for _, a := range answers {
		correct := 0
		if a.Correct {
			correct = 1
		}
		for _, ch := range []string{"", a.Channel} {
			for _, p := range periodKeys(a.AnsweredAt, s.loc) {
				k := [5]string{a.Platform, a.Team, ch, p, a.UserID}
				sc := rows[k]
				if sc == nil {
					sc = &Score{Platform: a.Platform, Team: a.Team, Channel: ch, Period: p, UserID: a.UserID}
					rows[k] = sc
				}
				sc.UserName, sc.Points, sc.Correct, sc.Answers = a.UserName, sc.Points+a.Points, sc.Correct+correct, sc.Answers+1
				if a.Points > 0 && a.AnsweredAt.After(sc.ReachedAt) {
					sc.ReachedAt = a.AnsweredAt
				}
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	list := make([]Score, 0, len(rows))
	for _, sc := range rows {
		if sc.ReachedAt.IsZero() {
			sc.ReachedAt = time.Unix(0, 0).UTC() // no points yet; a later point sets it
		}
		list = append(list, *sc)
	}
	// The points grew now: they were reached now, unless nothing was added.
	err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "channel"}, {Name: "period"}, {Name: "user_id"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "user_name"}, Value: gorm.Expr("excluded.user_name")},
			{Column: clause.Column{Name: "points"}, Value: gorm.Expr("scores.points + excluded.points")},
			{Column: clause.Column{Name: "correct"}, Value: gorm.Expr("scores.correct + excluded.correct")},
			{Column: clause.Column{Name: "answers"}, Value: gorm.Expr("scores.answers + excluded.answers")},
			{Column: clause.Column{Name: "reached_at"}, Value: gorm.Expr("CASE WHEN excluded.points > 0 THEN excluded.reached_at ELSE scores.reached_at END")},
		},
	}).CreateInBatches(&list, 500).Error
	if err != nil {
		return fmt.Errorf("add scores: %w", err)
	}
	return nil
}

// scoreZoneKey names the setting that records the zone scores use.
const scoreZoneKey = "score_zone"

// ensureScores rebuilds the leaderboards from the revealed rounds' answers
// when they were bucketed in another time zone (ASYNCQUIZ_TZ changed) or
// never built (an upgrade from a version without them).
func (s *Store) ensureScores(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	var set Setting
	err := db.Where("name = ?", scoreZoneKey).First(&set).Error
	if err == nil && set.Value == s.loc.String() {
		return nil
	}
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("read score zone: %w", err)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&Score{}).Error; err != nil {
			return fmt.Errorf("clear scores: %w", err)
		}
		var lastID uint64
		for {
			var batch []Answer
			err := tx.Select("answers.*").Joins("JOIN rounds ON rounds.id = answers.round_id AND rounds.state = ?", StateRevealed).
				Where("answers.id > ?", lastID).Order("answers.id").Limit(5000).Find(&batch).Error
			if err != nil {
				return fmt.Errorf("read answers: %w", err)
			}
			if len(batch) == 0 {
				break
			}
			if err := s.upsertScores(tx, batch); err != nil {
				return err
			}
			lastID = batch[len(batch)-1].ID
		}
		if err := rebuildAccuracyBands(tx); err != nil {
			return err
		}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Name: scoreZoneKey, Value: s.loc.String()}).Error
	})
}
