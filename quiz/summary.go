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
// accuracy with the window of the same length before. The answers of both
// windows are one range of an index that covers them
// (idx_answers_channel_time: the channel, the time, then the person, the
// question and whether it was right), read once and counted here; the
// improved people's names and the rounds and redo counts are small
// queries of their own.
func (s *Store) Summary(ctx context.Context, t Tenant, channel string, since, until time.Time) (TeamSummary, error) {
	db := s.db.WithContext(ctx)
	sum := TeamSummary{Since: since, Until: until}
	window := "platform = ? AND team = ? AND channel = ? AND answered_at >= ? AND answered_at < ?"
	from := since.Add(-until.Sub(since))

	type tally struct{ n, good int }
	type person struct{ now, before tally }
	people := map[string]*person{}
	perQ := map[string]*tally{}
	rows, err := db.Raw(`SELECT user_id, question_id, CASE WHEN correct THEN 1 ELSE 0 END, CASE WHEN answered_at >= ? THEN 1 ELSE 0 END
		FROM answers WHERE `+window, since, t.Platform, t.Team, channel, from, until).Rows()
	if err != nil {
		return sum, fmt.Errorf("count answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var user, qid string
		var good, now int
		if err := rows.Scan(&user, &qid, &good, &now); err != nil {
			return sum, fmt.Errorf("count answers: %w", err)
		}
		p := people[user]
		if p == nil {
			p = &person{}
			people[user] = p
		}
		if now == 0 {
			p.before.n, p.before.good = p.before.n+1, p.before.good+good
			continue
		}
		p.now.n, p.now.good = p.now.n+1, p.now.good+good
		q := perQ[qid]
		if q == nil {
			q = &tally{}
			perQ[qid] = q
		}
		q.n, q.good = q.n+1, q.good+good
		sum.Answers, sum.Correct = sum.Answers+1, sum.Correct+good
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("count answers: %w", err)
	}
	rows.Close()
	var users []string // who answered in the window
	for u, p := range people {
		if p.now.n > 0 {
			users = append(users, u)
		}
	}
	sum.People = len(users)

	var rounds int64
	if err := db.Model(&Round{}).Where("platform = ? AND team = ? AND channel = ? AND state = ? AND closes_at >= ? AND closes_at < ?",
		t.Platform, t.Team, channel, StateRevealed, since, until).Count(&rounds).Error; err != nil {
		return sum, fmt.Errorf("count rounds: %w", err)
	}
	sum.Rounds = int(rounds)

	tags := map[string]*TagMiss{}
	for id, r := range perQ {
		q, ok := s.bank.Get(id)
		if !ok {
			continue
		}
		for _, tag := range q.Tags {
			m := tags[tag]
			if m == nil {
				m = &TagMiss{Tag: tag}
				tags[tag] = m
			}
			m.Missed += r.n - r.good
			m.Answers += r.n
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

	for _, u := range users {
		a, b := people[u].now, people[u].before
		if a.n < improvedMin || b.n < improvedMin {
			continue
		}
		imp := Improvement{UserID: u, Before: b.good * 100 / b.n, After: a.good * 100 / a.n}
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
	if len(sum.Improved) > 0 {
		// Their names as they answered in the window.
		ids := make([]string, len(sum.Improved))
		for i, imp := range sum.Improved {
			ids[i] = imp.UserID
		}
		var names []struct{ UserID, UserName string }
		if err := db.Model(&Answer{}).Select("user_id, MAX(user_name) AS user_name").Where(window+" AND user_id IN ?", t.Platform, t.Team, channel, since, until, ids).
			Group("user_id").Scan(&names).Error; err != nil {
			return sum, fmt.Errorf("read names: %w", err)
		}
		for _, n := range names {
			for i := range sum.Improved {
				if sum.Improved[i].UserID == n.UserID {
					sum.Improved[i].UserName = n.UserName
				}
			}
		}
	}

	if len(users) > 0 {
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
