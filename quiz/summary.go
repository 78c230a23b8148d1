package quiz

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm/clause"
)

// TeamSummary is how a channel did over a window: who took part, the
// concepts it missed most, who improved most, and redo items cleared.
type TeamSummary struct {
	Since, Until time.Time
	Rounds       int
	People       int
	Answers      int
	Correct      int
	Missed       []TagMiss     // most missed first, at most three
	Improved     []Improvement // most improved first, at most three
	RedoCleared  int           // redo questions its people answered right
}

// TagMiss is a concept and how often the channel got it wrong.
type TagMiss struct {
	Tag     string
	Missed  int
	Answers int
}

// Improvement is a person's accuracy in the window against the one before.
type Improvement struct {
	UserID, UserName string
	Before, After    int // percent right
}

// improvedMin is how many answers a person needs in both windows to count
// as improved.
const improvedMin = 2

// Summary computes the channel's summary for [since, until), comparing
// accuracy with the window of the same length before. Every query is a range
// of an index on the channel and the time (idx_answers_channel_time).
func (s *Store) Summary(ctx context.Context, t Tenant, channel string, since, until time.Time) (TeamSummary, error) {
	db := s.db.WithContext(ctx)
	sum := TeamSummary{Since: since, Until: until}
	window := "platform = ? AND team = ? AND channel = ? AND answered_at >= ? AND answered_at < ?"
	var tot struct{ People, Answers, Correct int }
	err := db.Model(&Answer{}).Select("COUNT(DISTINCT user_id) AS people, COUNT(*) AS answers, COALESCE(SUM(CASE WHEN correct THEN 1 ELSE 0 END), 0) AS correct").
		Where(window, t.Platform, t.Team, channel, since, until).Scan(&tot).Error
	if err != nil {
		return sum, fmt.Errorf("count answers: %w", err)
	}
	sum.People, sum.Answers, sum.Correct = tot.People, tot.Answers, tot.Correct
	var rounds int64
	if err := db.Model(&Round{}).Where("platform = ? AND team = ? AND channel = ? AND state = ? AND closes_at >= ? AND closes_at < ?",
		t.Platform, t.Team, channel, StateRevealed, since, until).Count(&rounds).Error; err != nil {
		return sum, fmt.Errorf("count rounds: %w", err)
	}
	sum.Rounds = int(rounds)

	var perQ []struct {
		QuestionID string
		N, Wrong   int
	}
	if err := db.Model(&Answer{}).Select("question_id, COUNT(*) AS n, SUM(CASE WHEN correct THEN 0 ELSE 1 END) AS wrong").
		Where(window, t.Platform, t.Team, channel, since, until).Group("question_id").Scan(&perQ).Error; err != nil {
		return sum, fmt.Errorf("count misses: %w", err)
	}
	tags := map[string]*TagMiss{}
	for _, r := range perQ {
		q, ok := s.bank.Get(r.QuestionID)
		if !ok {
			continue
		}
		for _, tag := range q.Tags {
			m := tags[tag]
			if m == nil {
				m = &TagMiss{Tag: tag}
				tags[tag] = m
			}
			m.Missed += r.Wrong
			m.Answers += r.N
		}
	}
	for _, m := range tags {
		if m.Missed > 0 {
			sum.Missed = append(sum.Missed, *m)
		}
	}
	sort.Slice(sum.Missed, func(i, j int) bool {
		a, b := sum.Missed[i], sum.Missed[j]
		if a.Missed != b.Missed {
			return a.Missed > b.Missed
		}
		return a.Tag < b.Tag
	})
	sum.Missed = sum.Missed[:min(3, len(sum.Missed))]

	perUser := func(from, to time.Time) (map[string][3]int, map[string]string, error) {
		var rows []struct {
			UserID   string
			UserName string
			N, Good  int
		}
		err := db.Model(&Answer{}).Select("user_id, MAX(user_name) AS user_name, COUNT(*) AS n, SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS good").
			Where(window, t.Platform, t.Team, channel, from, to).Group("user_id").Scan(&rows).Error
		out, names := map[string][3]int{}, map[string]string{}
		for _, r := range rows {
			out[r.UserID] = [3]int{r.N, r.Good}
			names[r.UserID] = r.UserName
		}
		return out, names, err
	}
	now, names, err := perUser(since, until)
	if err != nil {
		return sum, fmt.Errorf("accuracy this window: %w", err)
	}
	before, _, err := perUser(since.Add(-until.Sub(since)), since)
	if err != nil {
		return sum, fmt.Errorf("accuracy the window before: %w", err)
	}
	for u, a := range now {
		b, ok := before[u]
		if !ok || a[0] < improvedMin || b[0] < improvedMin {
			continue
		}
		imp := Improvement{UserID: u, UserName: names[u], Before: b[1] * 100 / b[0], After: a[1] * 100 / a[0]}
		if imp.After > imp.Before {
			sum.Improved = append(sum.Improved, imp)
		}
	}
	sort.Slice(sum.Improved, func(i, j int) bool {
		a, b := sum.Improved[i], sum.Improved[j]
		if d1, d2 := a.After-a.Before, b.After-b.Before; d1 != d2 {
			return d1 > d2
		}
		return a.UserID < b.UserID
	})
	sum.Improved = sum.Improved[:min(3, len(sum.Improved))]

	if len(now) > 0 {
		// The people are a subquery, not a list: a busy channel has more
		// than a statement may bind.
		var cleared int64
		if err := db.Model(&Attempt{}).Where("platform = ? AND team = ? AND mode = ? AND correct AND at >= ? AND at < ? AND user_id IN (SELECT user_id FROM answers WHERE "+window+")",
			t.Platform, t.Team, "redo", since, until, t.Platform, t.Team, channel, since, until).Count(&cleared).Error; err != nil {
			return sum, fmt.Errorf("count redo: %w", err)
		}
		sum.RedoCleared = int(cleared)
	}
	return sum, nil
}

// SummaryPosted records a schedule's weekly summary for week (its Monday,
// local); it reports whether this call was first, so any number of replicas
// post it once.
func (s *Store) SummaryPosted(ctx context.Context, scheduleID uint64, week string) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&WeeklySummary{ScheduleID: scheduleID, Week: week, CreatedAt: s.Now()})
	if res.Error != nil {
		return false, fmt.Errorf("record weekly summary: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// WeeklySummary marks a schedule's summary for one week as posted.
type WeeklySummary struct {
	ScheduleID uint64    `gorm:"primaryKey"`
	Week       string    `gorm:"primaryKey;size:10"`
	CreatedAt  time.Time `gorm:"not null"`
}
