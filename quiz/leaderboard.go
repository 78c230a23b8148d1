package quiz

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/asyncquiz/asyncquiz/questions"
)

// Leaderboard periods and scopes.
const (
	PeriodWeek    = "week"
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodAll     = "all"
	ScopeTeam     = "team"
	ScopeChannel  = "channel"
)

// Periods lists the leaderboard periods, shortest first.
var Periods = []string{PeriodWeek, PeriodMonth, PeriodQuarter, PeriodAll}

// LeaderboardInput asks for a leaderboard.
type LeaderboardInput struct {
	Tenant
	Period  string // week (default), month, quarter, all
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
	// Previous is the last period's top three, while the period has just
	// turned (see JustTurned).
	Previous []Standing
}

// PeriodStart returns when the period containing now began in loc: weeks
// start on Monday 00:00, months on the 1st, quarters on Jan 1, Apr 1, Jul 1
// and Oct 1. All time returns the zero time.
func PeriodStart(period string, now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	switch period {
	case PeriodWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return midnight.AddDate(0, 0, -back).UTC()
	case PeriodMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).UTC()
	case PeriodQuarter:
		return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, loc).UTC()
	}
	return time.Time{}
}

// JustTurned reports whether a period began recently enough that its
// board is still thin and last period's winners are worth showing: the
// first 2 days of a week, the first 7 of a month or quarter.
func JustTurned(period string, now time.Time, loc *time.Location) bool {
	start := PeriodStart(period, now, loc)
	switch period {
	case PeriodWeek:
		return now.Sub(start) < 2*24*time.Hour
	case PeriodMonth, PeriodQuarter:
		return now.Sub(start) < 7*24*time.Hour
	}
	return false
}

// Leaderboard ranks people by points from revealed channel rounds in the
// period. Only people with at least one point are listed. Ties go to more
// correct answers, then to whoever reached their score first, then by user
// id. It reads the scores kept at reveal time: the top is an index range and
// the caller's rank one count, whatever the number of answers.
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
	if !slices.Contains(Periods, in.Period) {
		return Leaderboard{}, Errorf(EInvalid, "The period must be week, month, quarter or all.")
	}
	channel := ""
	switch in.Scope {
	case ScopeTeam:
	case ScopeChannel:
		channel = in.Channel
	default:
		return Leaderboard{}, Errorf(EInvalid, "The scope must be team or channel.")
	}
	now := s.Now()
	lb := Leaderboard{Period: in.Period, Scope: in.Scope, Since: PeriodStart(in.Period, now, s.loc)}
	key := periodKey(in.Period, now, s.loc)
	var err error
	if lb.Top, err = s.topScores(ctx, in.Tenant, channel, key, in.Limit); err != nil {
		return Leaderboard{}, err
	}
	if in.UserID != "" {
		if lb.Me, err = s.standingOf(ctx, in.Tenant, channel, key, in.UserID); err != nil {
			return Leaderboard{}, err
		}
	}
	if JustTurned(in.Period, now, s.loc) {
		prev := periodKey(in.Period, lb.Since.Add(-time.Second), s.loc)
		if lb.Previous, err = s.topScores(ctx, in.Tenant, channel, prev, 3); err != nil {
			return Leaderboard{}, err
		}
	}
	return lb, nil
}

func (s *Store) scores(ctx context.Context, t Tenant, channel, period string) *gorm.DB {
	return s.db.WithContext(ctx).Model(&Score{}).
		Where("platform = ? AND team = ? AND channel = ? AND period = ? AND points > 0", t.Platform, t.Team, channel, period)
}

func (s *Store) topScores(ctx context.Context, t Tenant, channel, period string, limit int) ([]Standing, error) {
	var rows []Score
	err := s.scores(ctx, t, channel, period).Order("points DESC, correct DESC, reached_at ASC, user_id ASC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("rank scores: %w", err)
	}
	out := make([]Standing, len(rows))
	for i, r := range rows {
		out[i] = Standing{Rank: i + 1, UserID: r.UserID, UserName: r.UserName, Points: r.Points, Correct: r.Correct, Answers: r.Answers}
	}
	return out, nil
}

// standingOf returns the person's line and rank (those ahead, plus one),
// or nil when they have no points in the period.
func (s *Store) standingOf(ctx context.Context, t Tenant, channel, period, user string) (*Standing, error) {
	var me []Score
	if err := s.scores(ctx, t, channel, period).Where("user_id = ?", user).Limit(1).Find(&me).Error; err != nil {
		return nil, fmt.Errorf("find score: %w", err)
	}
	if len(me) == 0 {
		return nil, nil
	}
	m := me[0]
	// Those ahead, as four contiguous ranges of idx_scores_rank (more
	// points; as many and more correct; ... earlier; ... a smaller id): an
	// OR of the four would make both engines filter every row of the period.
	var ahead int64
	base := "platform = ? AND team = ? AND channel = ? AND period = ? AND points > 0 AND "
	count := "(SELECT COUNT(*) FROM scores WHERE " + base
	err := s.db.WithContext(ctx).Raw("SELECT "+
		count+"points > ?) + "+
		count+"points = ? AND correct > ?) + "+
		count+"points = ? AND correct = ? AND reached_at < ?) + "+
		count+"points = ? AND correct = ? AND reached_at = ? AND user_id < ?)",
		t.Platform, t.Team, channel, period, m.Points,
		t.Platform, t.Team, channel, period, m.Points, m.Correct,
		t.Platform, t.Team, channel, period, m.Points, m.Correct, m.ReachedAt,
		t.Platform, t.Team, channel, period, m.Points, m.Correct, m.ReachedAt, m.UserID).Scan(&ahead).Error
	if err != nil {
		return nil, fmt.Errorf("rank score: %w", err)
	}
	return &Standing{Rank: int(ahead) + 1, UserID: m.UserID, UserName: m.UserName, Points: m.Points, Correct: m.Correct, Answers: m.Answers}, nil
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
