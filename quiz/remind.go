package quiz

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"
)

// Reminder is a person's redo reminder setting and when they were last
// reminded: at most once a (UTC) day across channels, never when Off.
type Reminder struct {
	Platform string `gorm:"primaryKey;size:16"`
	Team     string `gorm:"primaryKey;size:64"`
	UserID   string `gorm:"primaryKey;size:64"`
	Off      bool   `gorm:"not null"`
	LastDate string `gorm:"size:10;not null"`
}

// SetReminders turns a person's redo reminders on or off.
func (s *Store) SetReminders(ctx context.Context, t Tenant, user string, on bool) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"off"}),
	}).Create(&Reminder{Platform: t.Platform, Team: t.Team, UserID: user, Off: !on}).Error
	if err != nil {
		return fmt.Errorf("save reminder setting: %w", err)
	}
	return nil
}

// RemindersOn reports whether a person gets redo reminders (on unless
// they turned them off).
func (s *Store) RemindersOn(ctx context.Context, t Tenant, user string) (bool, error) {
	var r []Reminder
	if err := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).Limit(1).Find(&r).Error; err != nil {
		return false, fmt.Errorf("read reminder setting: %w", err)
	}
	return len(r) == 0 || !r[0].Off, nil
}

// Due is a person who has redo questions due.
type Due struct {
	UserID string
	Due    int
}

// DueReminders claims today's reminders for the people of a channel with
// due redo items: those who answered in the channel, have not turned
// reminders off, and were not reminded today anywhere. Each returned person
// is marked reminded (a conditional update, so two channels or replicas
// remind them once). A person who never played is not among them.
func (s *Store) DueReminders(ctx context.Context, t Tenant, channel string) ([]Due, error) {
	now := s.Now()
	today := now.Format("2006-01-02")
	db := s.db.WithContext(ctx)
	var due []Due
	err := db.Raw(`SELECT ri.user_id AS user_id, COUNT(*) AS due FROM redo_items ri
		WHERE ri.platform = ? AND ri.team = ? AND ri.due_at <= ?
		AND EXISTS (SELECT 1 FROM answers a WHERE a.platform = ri.platform AND a.team = ri.team AND a.channel = ? AND a.user_id = ri.user_id)
		AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.platform = ri.platform AND r.team = ri.team AND r.user_id = ri.user_id
			AND (r.off OR r.last_date = ?))
		GROUP BY ri.user_id ORDER BY ri.user_id`, t.Platform, t.Team, now, channel, today).Scan(&due).Error
	if err != nil {
		return nil, fmt.Errorf("find due reminders: %w", err)
	}
	var claimed []Due
	for _, d := range due {
		ok, err := s.claimReminder(ctx, t, d.UserID, today)
		if err != nil {
			return claimed, err
		}
		if ok {
			claimed = append(claimed, d)
		}
	}
	return claimed, nil
}

// claimReminder marks the person reminded today unless they already were
// or turned reminders off.
func (s *Store) claimReminder(ctx context.Context, t Tenant, user, today string) (bool, error) {
	db := s.db.WithContext(ctx)
	ins := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Reminder{Platform: t.Platform, Team: t.Team, UserID: user, LastDate: today})
	if ins.Error != nil {
		return false, fmt.Errorf("claim reminder: %w", ins.Error)
	}
	if ins.RowsAffected == 1 {
		return true, nil
	}
	res := db.Model(&Reminder{}).Where("platform = ? AND team = ? AND user_id = ? AND NOT off AND last_date <> ?", t.Platform, t.Team, user, today).
		Update("last_date", today)
	if res.Error != nil {
		return false, fmt.Errorf("claim reminder: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
