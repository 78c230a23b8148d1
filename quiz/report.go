package quiz

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Report is one person's report of a problem with a question. Its unique
// key keeps one per person and question; a later report updates the reason.
type Report struct {
	ID         uint64     `gorm:"primaryKey"`
	Platform   string     `gorm:"size:16;not null;uniqueIndex:idx_reports_user_question,priority:1"`
	Team       string     `gorm:"size:64;not null;uniqueIndex:idx_reports_user_question,priority:2"`
	UserID     string     `gorm:"size:64;not null;uniqueIndex:idx_reports_user_question,priority:3"`
	QuestionID string     `gorm:"size:128;not null;uniqueIndex:idx_reports_user_question,priority:4;index:idx_reports_question"`
	Reason     string     `gorm:"size:500;not null"`
	CreatedAt  time.Time  `gorm:"not null"`
	UpdatedAt  time.Time  `gorm:"not null"`
	ResolvedAt *time.Time // set by `questions reports --resolve`; the question is back in rounds
}

// MaxReason bounds a report's reason.
const MaxReason = 500

// ReportsToHold is how many people's open reports keep a question out of
// rounds until it is reviewed.
const ReportsToHold = 3

// ReportQuestion records a person's report of a problem with a question.
// It reports whether this was the person's first report of it.
func (s *Store) ReportQuestion(ctx context.Context, t Tenant, user, questionID, reason string) (bool, error) {
	if _, ok := s.bank.Get(questionID); !ok {
		return false, ErrRetired
	}
	if user == "" || len(user) > MaxUserID {
		return false, Errorf(EInvalid, "That report carries no valid user.")
	}
	now := s.Now()
	r := Report{Platform: t.Platform, Team: t.Team, UserID: user, QuestionID: questionID,
		Reason: CleanName(reason, MaxReason), CreatedAt: now, UpdatedAt: now}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, fmt.Errorf("save report: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// Reported before: a new reason replaces the old one and reopens it.
	err := s.db.WithContext(ctx).Model(&Report{}).
		Where("platform = ? AND team = ? AND user_id = ? AND question_id = ?", t.Platform, t.Team, user, questionID).
		Select("reason", "updated_at", "resolved_at").Updates(&Report{Reason: r.Reason, UpdatedAt: now}).Error
	if err != nil {
		return false, fmt.Errorf("update report: %w", err)
	}
	return false, nil
}

// ReportSummary is what `questions reports` lists for one question.
type ReportSummary struct {
	QuestionID string
	Open       int // open reports (from different people, by construction)
	Reasons    []string
	First      time.Time
	Last       time.Time
	Held       bool // kept out of rounds until resolved
}

// Reports lists questions with open reports, most reported first.
func (s *Store) Reports(ctx context.Context) ([]ReportSummary, error) {
	var rows []Report
	if err := s.db.WithContext(ctx).Where("resolved_at IS NULL").Order("question_id, created_at").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	var out []ReportSummary
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].QuestionID != r.QuestionID {
			out = append(out, ReportSummary{QuestionID: r.QuestionID, First: r.CreatedAt})
		}
		sum := &out[len(out)-1]
		sum.Open++
		if r.Reason != "" {
			sum.Reasons = append(sum.Reasons, r.Reason)
		}
		sum.First = minTime(sum.First, r.CreatedAt)
		if r.UpdatedAt.After(sum.Last) {
			sum.Last = r.UpdatedAt
		}
		sum.Held = sum.Open >= ReportsToHold
	}
	sortReports(out)
	return out, nil
}

// ResolveReports marks a question's open reports reviewed; it returns how
// many there were. The question goes back into rounds.
func (s *Store) ResolveReports(ctx context.Context, questionID string) (int, error) {
	now := s.Now()
	res := s.db.WithContext(ctx).Model(&Report{}).Where("question_id = ? AND resolved_at IS NULL", questionID).
		Select("resolved_at").Updates(&Report{ResolvedAt: &now})
	if res.Error != nil {
		return 0, fmt.Errorf("resolve reports: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// heldQuestions are the questions with enough open reports to keep them out
// of rounds.
func (s *Store) heldQuestions(ctx context.Context) (map[string]bool, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&Report{}).Where("resolved_at IS NULL").
		Group("question_id").Having("COUNT(*) >= ?", ReportsToHold).Pluck("question_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find held questions: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func sortReports(rs []ReportSummary) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && (rs[j].Open > rs[j-1].Open || (rs[j].Open == rs[j-1].Open && rs[j].QuestionID < rs[j-1].QuestionID)); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
