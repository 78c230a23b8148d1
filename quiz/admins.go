package quiz

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Admin is a person a team's manager named to manage its schedules too,
// besides those the platform says may (Slack's workspace admins, Discord's
// Manage Channels).
type Admin struct {
	Platform  string    `gorm:"primaryKey;size:16"`
	Team      string    `gorm:"primaryKey;size:64"`
	UserID    string    `gorm:"primaryKey;size:64"`
	UserName  string    `gorm:"size:100;not null"`
	AddedBy   string    `gorm:"size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// MaxAdmins bounds the people named per team.
const MaxAdmins = 100

// AddAdmin names user a manager of the team's schedules. It reports false
// when they already were one.
func (s *Store) AddAdmin(ctx context.Context, t Tenant, user, name, by string) (bool, error) {
	if user == "" {
		return false, Errorf(EInvalid, "Name the person to add, for example @ada.")
	}
	if len(user) > MaxUserID || !printable(user) {
		return false, Errorf(EInvalid, "That is not a user I can name.")
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Admin{}).Where("platform = ? AND team = ?", t.Platform, t.Team).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count admins: %w", err)
	}
	if n >= MaxAdmins {
		return false, Errorf(EConflict, "This team has %d schedule managers already; remove one first.", MaxAdmins)
	}
	a := Admin{Platform: t.Platform, Team: t.Team, UserID: user, UserName: CleanName(name, MaxUserName), AddedBy: truncate(by, MaxUserID), CreatedAt: s.Now()}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&a)
	if res.Error != nil {
		return false, fmt.Errorf("add admin: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RemoveAdmin takes user off the team's named managers. It reports false
// when they were not one.
func (s *Store) RemoveAdmin(ctx context.Context, t Tenant, user string) (bool, error) {
	res := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).Delete(&Admin{})
	if res.Error != nil {
		return false, fmt.Errorf("remove admin: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Admins lists the team's named managers, oldest first.
func (s *Store) Admins(ctx context.Context, t Tenant) ([]Admin, error) {
	var out []Admin
	err := s.db.WithContext(ctx).Where("platform = ? AND team = ?", t.Platform, t.Team).Order("created_at, user_id").Limit(MaxAdmins).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	return out, nil
}

// IsAdmin reports whether user was named a manager of the team's schedules.
func (s *Store) IsAdmin(ctx context.Context, t Tenant, user string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Admin{}).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check admin: %w", err)
	}
	return n > 0, nil
}
