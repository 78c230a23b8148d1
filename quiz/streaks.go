package quiz

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Streak is a person's run of daily rounds in one channel schedule: rounds
// answered in a row, and answered right in a row. A missed round uses the
// grace day if none was used in the 7 days before; otherwise the run ends.
// Only revealed daily rounds count: a day whose round failed to post, or
// that fell in an outage (no round at all), breaks nothing.
type Streak struct {
	ScheduleID    uint64 `gorm:"primaryKey"`
	UserID        string `gorm:"primaryKey;size:64;index:idx_streaks_user,priority:3"`
	Platform      string `gorm:"size:16;not null;index:idx_streaks_user,priority:1"`
	Team          string `gorm:"size:64;not null;index:idx_streaks_user,priority:2"`
	Channel       string `gorm:"size:64;not null"`
	Answered      int    `gorm:"column:answered_run;not null"`
	BestAnswered  int    `gorm:"not null"`
	Right         int    `gorm:"column:right_run;not null"`
	BestRight     int    `gorm:"not null"`
	LastDate      string `gorm:"size:10;not null"` // local date of the last round counted
	GraceAnswered string `gorm:"size:10;not null"` // local date the answered run last used its grace day
	GraceRight    string `gorm:"size:10;not null"`
}

// StreakMilestones are the runs the reveal calls out.
var StreakMilestones = []int{5, 10, 25, 50, 100}

// Milestone is a run that reached a milestone with this round.
type Milestone struct {
	UserID, UserName string
	Days             int
	Right            bool // a run of right answers (else of answers)
}

// graceEvery is how far apart two grace days must be.
const graceEvery = 7

// nextStreaks works out every streak of the round's schedule after this
// round: the answerers' runs grow, everyone else with a run misses a day.
// It reads, and only FinishReveal writes what it returns.
func (s *Store) nextStreaks(tx *gorm.DB, r Round, answers []Answer) ([]Streak, []Milestone, error) {
	if r.ScheduleID == nil || r.LocalDate == nil {
		return nil, nil, nil
	}
	date := *r.LocalDate
	var rows []Streak
	if err := tx.Where("schedule_id = ?", *r.ScheduleID).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("read streaks: %w", err)
	}
	byUser := make(map[string]*Streak, len(rows))
	for i := range rows {
		byUser[rows[i].UserID] = &rows[i]
	}
	var out []Streak
	var ms []Milestone
	seen := map[string]bool{}
	for _, a := range answers {
		seen[a.UserID] = true
		st := byUser[a.UserID]
		if st == nil {
			st = &Streak{ScheduleID: *r.ScheduleID, UserID: a.UserID, Platform: r.Platform, Team: r.Team, Channel: r.Channel}
		}
		if st.LastDate == date {
			continue // counted already
		}
		st.Answered++
		st.BestAnswered = max(st.BestAnswered, st.Answered)
		if a.Correct {
			st.Right++
			st.BestRight = max(st.BestRight, st.Right)
		} else {
			st.Right, st.GraceRight = miss(st.Right, st.GraceRight, date)
		}
		st.LastDate = date
		if slices.Contains(StreakMilestones, st.Answered) {
			ms = append(ms, Milestone{UserID: a.UserID, UserName: a.UserName, Days: st.Answered})
		}
		if a.Correct && slices.Contains(StreakMilestones, st.Right) {
			ms = append(ms, Milestone{UserID: a.UserID, UserName: a.UserName, Days: st.Right, Right: true})
		}
		out = append(out, *st)
	}
	for i := range rows {
		st := &rows[i]
		if seen[st.UserID] || st.LastDate == date || (st.Answered == 0 && st.Right == 0) {
			continue
		}
		st.Answered, st.GraceAnswered = miss(st.Answered, st.GraceAnswered, date)
		st.Right, st.GraceRight = miss(st.Right, st.GraceRight, date)
		st.LastDate = date
		out = append(out, *st)
	}
	return out, ms, nil
}

// miss applies a missed round to a run: it is kept if the grace day is
// free (none used in the graceEvery days before date), else it ends.
func miss(run int, grace, date string) (int, string) {
	if run == 0 {
		return 0, grace
	}
	if grace == "" || daysBetween(grace, date) >= graceEvery {
		return run, date
	}
	return 0, grace
}

func daysBetween(a, b string) int {
	ta, err1 := time.Parse("2006-01-02", a)
	tb, err2 := time.Parse("2006-01-02", b)
	if err1 != nil || err2 != nil {
		return graceEvery
	}
	return int(tb.Sub(ta).Hours() / 24)
}

func saveStreaks(tx *gorm.DB, rows []Streak) error {
	if len(rows) == 0 {
		return nil
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "schedule_id"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"answered_run", "best_answered", "right_run", "best_right", "last_date", "grace_answered", "grace_right", "channel"}),
	}).CreateInBatches(&rows, 500).Error
	if err != nil {
		return fmt.Errorf("save streaks: %w", err)
	}
	return nil
}

// Streaks returns a person's runs in each channel schedule of the tenant.
func (s *Store) Streaks(ctx context.Context, t Tenant, user string) ([]Streak, error) {
	var out []Streak
	err := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).
		Order("channel").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read streaks: %w", err)
	}
	return out, nil
}
