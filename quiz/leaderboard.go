package quiz

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
)

// Leaderboard periods and scopes.
const (
	PeriodWeek   = "week"
	PeriodMonth  = "month"
	PeriodAll    = "all"
	ScopeTeam    = "team"
	ScopeChannel = "channel"
)

// LeaderboardInput asks for a leaderboard.
type LeaderboardInput struct {
	Tenant
	Period  string // week (default), month, all
	Scope   string // team (default), channel
	Channel string // required for the channel scope
	UserID  string // the caller, whose rank is reported too
	Limit   int    // default 10
}

// Standing is one person's line on a leaderboard.
type Standing struct {
	Rank     int
	UserID   string
	UserName string
	Points   int
	Correct  int
	Answers  int
}

// Leaderboard is the top of the board plus the caller's own standing.
type Leaderboard struct {
	Period string
	Scope  string
	Since  time.Time // zero for all time
	Top    []Standing
	Me     *Standing // the caller, when they have points; may also be in Top
}

// PeriodStart returns when the period containing now began in loc: weeks
// start on Monday 00:00, months on the 1st. All time returns the zero time.
func PeriodStart(period string, now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	switch period {
	case PeriodWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return midnight.AddDate(0, 0, -back).UTC()
	case PeriodMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).UTC()
	}
	return time.Time{}
}

// Leaderboard ranks people by points from channel rounds in the period.
// Only people with at least one point are listed. Ties go to more correct
// answers, then to whoever reached their score first, then by user id.
func (s *Store) Leaderboard(ctx context.Context, in LeaderboardInput) (Leaderboard, error) {
	if in.Period == "" {
		in.Period = PeriodWeek
	}
	if in.Scope == "" {
		in.Scope = ScopeTeam
	}
	if in.Limit <= 0 {
		in.Limit = 10
	}
	switch in.Period {
	case PeriodWeek, PeriodMonth, PeriodAll:
	default:
		return Leaderboard{}, Errorf(EInvalid, "The period must be week, month or all.")
	}
	switch in.Scope {
	case ScopeTeam, ScopeChannel:
	default:
		return Leaderboard{}, Errorf(EInvalid, "The scope must be team or channel.")
	}
	lb := Leaderboard{Period: in.Period, Scope: in.Scope, Since: PeriodStart(in.Period, s.Now(), s.loc)}
	q := s.db.WithContext(ctx).Model(&Answer{}).
		Select("user_id, MAX(user_name) AS user_name, SUM(points) AS points, "+
			"SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS correct, COUNT(*) AS answers, "+
			"MAX(CASE WHEN points > 0 THEN answered_at END) AS reached_at").
		Where("platform = ? AND team = ?", in.Platform, in.Team)
	if !lb.Since.IsZero() {
		q = q.Where("answered_at >= ?", lb.Since)
	}
	if in.Scope == ScopeChannel {
		q = q.Where("channel = ?", in.Channel)
	}
	var rows []struct {
		UserID   string
		UserName string
		Points   int
		Correct  int
		Answers  int
	}
	err := q.Group("user_id").Having("SUM(points) > 0").
		Order("points DESC, correct DESC, reached_at ASC, user_id ASC").Scan(&rows).Error
	if err != nil {
		return Leaderboard{}, fmt.Errorf("rank answers: %w", err)
	}
	for i, r := range rows {
		st := Standing{Rank: i + 1, UserID: r.UserID, UserName: r.UserName, Points: r.Points, Correct: r.Correct, Answers: r.Answers}
		if i < in.Limit {
			lb.Top = append(lb.Top, st)
		}
		if r.UserID == in.UserID {
			me := st
			lb.Me = &me
		}
	}
	return lb, nil
}

// Answers returns every round answer of the tenant, oldest first, for export.
func (s *Store) Answers(ctx context.Context, t Tenant) ([]ExportedAnswer, error) {
	var out []ExportedAnswer
	err := s.db.WithContext(ctx).Table("answers").
		Select("answers.*, rounds.question_id, rounds.option_order").
		Joins("JOIN rounds ON rounds.id = answers.round_id").
		Where("answers.platform = ? AND answers.team = ?", t.Platform, t.Team).
		Order("answers.answered_at, answers.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list answers: %w", err)
	}
	return out, nil
}

// ExportedAnswer is an answer with its round's question and shown order.
type ExportedAnswer struct {
	Answer
	QuestionID  string
	OptionOrder string
}

// Shown is the letter the person clicked: Option as the round showed it.
func (a ExportedAnswer) Shown() string {
	if a.OptionOrder == "" {
		return a.Option
	}
	if i := strings.Index(a.OptionOrder, a.Option); i >= 0 {
		return questions.Letter(i)
	}
	return "?"
}

// TeamPlatforms returns the platforms on which team has rounds.
func (s *Store) TeamPlatforms(ctx context.Context, team string) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&Round{}).Distinct("platform").Where("team = ?", team).Order("platform").Pluck("platform", &out).Error
	if err != nil {
		return nil, fmt.Errorf("find team: %w", err)
	}
	return out, nil
}
