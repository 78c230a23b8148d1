package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
)

// Round duration bounds.
const (
	MinDuration = 5 * time.Second
	MaxDuration = 7 * 24 * time.Hour
)

// OpenInput asks for a round in a channel.
type OpenInput struct {
	Tenant
	Channel    string
	OpenedBy   string
	Category   string // "" or "mixed" for all
	Difficulty int    // 0 for any
	Duration   time.Duration
	// QuestionID forces a question (tests, admin tools); empty picks one.
	QuestionID string
	// ScheduleID and LocalDate make a daily round unique per schedule and day.
	ScheduleID *uint64
	LocalDate  string
	// ClosesAt, when set, is the deadline instead of now + Duration (a daily
	// round posted late keeps its schedule's deadline).
	ClosesAt time.Time
}

func openKey(t Tenant, channel string) string { return t.Platform + "/" + t.Team + "/" + channel }

// OpenRound opens a round in the channel, in StatePosting and claimed by the
// caller, who posts its message and calls MarkPosted (or DeferPost, or
// FailRound); until then no reveal can touch it. It returns EInvalid for a duration
// out of bounds or an empty filter, EConflict (with the open round) when the
// channel already has an open round, and for daily rounds EConflict when the
// schedule already has a round on that local date.
func (s *Store) OpenRound(ctx context.Context, in OpenInput) (Round, *questions.Question, error) {
	now := s.Now()
	if !in.ClosesAt.IsZero() {
		in.Duration = in.ClosesAt.Sub(now)
	}
	if err := ValidRoundDuration(in.Duration); err != nil {
		return Round{}, nil, err
	}
	if in.ScheduleID == nil {
		since := now.Add(-LimitWindow)
		rounds := func() *gorm.DB {
			return s.db.WithContext(ctx).Model(&Round{}).Where("platform = ? AND team = ? AND schedule_id IS NULL AND created_at > ?", in.Platform, in.Team, since)
		}
		if err := overLimit(rounds().Where("opened_by = ?", in.OpenedBy), s.limits.StartsPerUser, "rounds started by you"); err != nil {
			return Round{}, nil, err
		}
		if err := overLimit(rounds(), s.limits.StartsPerTeam, "rounds started in this team"); err != nil {
			return Round{}, nil, err
		}
	}
	q, err := s.pickQuestion(ctx, in)
	if err != nil {
		return Round{}, nil, err
	}
	key := openKey(in.Tenant, in.Channel)
	r := Round{
		Platform: in.Platform, Team: in.Team, Channel: in.Channel,
		QuestionID: q.ID, State: StatePosting, OpenedBy: in.OpenedBy, OpenKey: &key,
		ScheduleID: in.ScheduleID, CreatedAt: now, ClosesAt: now.Add(in.Duration), ClaimedAt: &now,
	}
	if in.LocalDate != "" {
		d := in.LocalDate
		r.LocalDate = &d
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		// The order comes from the round id: the same for everyone in the
		// channel and for the reveal.
		r.OptionOrder = q.Order(r.ID).String()
		return tx.Model(&Round{}).Where("id = ?", r.ID).Update("option_order", r.OptionOrder).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		if open, ferr := s.OpenRoundIn(ctx, in.Tenant, in.Channel); ferr == nil {
			return open, nil, Errorf(EConflict, "A round is already open in this channel until %s. Answer it, or wait for its reveal.",
				open.ClosesAt.In(s.loc).Format("Jan 2 15:04 MST"))
		}
		return Round{}, nil, Errorf(EConflict, "This schedule already has a round today.")
	}
	if err != nil {
		return Round{}, nil, fmt.Errorf("create round: %w", err)
	}
	return r, q, nil
}

// pickQuestion chooses a question that matches the filters, avoiding the
// questions this channel has already had until every match has been used:
// it picks among the matches used the fewest times here.
func (s *Store) pickQuestion(ctx context.Context, in OpenInput) (*questions.Question, error) {
	if in.QuestionID != "" {
		return s.Question(in.QuestionID)
	}
	cands := s.bank.Filter(in.Category, in.Difficulty)
	if len(cands) == 0 {
		return nil, Errorf(EInvalid, "No questions match category %q and difficulty %s. Try without them.",
			in.Category, questions.DifficultyName(in.Difficulty))
	}
	var rows []struct {
		QuestionID string
		N          int
	}
	err := s.db.WithContext(ctx).Model(&Round{}).Select("question_id, count(*) AS n").
		Where("platform = ? AND team = ? AND channel = ?", in.Platform, in.Team, in.Channel).
		Group("question_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count used questions: %w", err)
	}
	used := make(map[string]int, len(rows))
	for _, r := range rows {
		used[r.QuestionID] = r.N
	}
	return s.leastUsed(cands, used), nil
}

// leastUsed picks at random among the candidates with the smallest count.
func (s *Store) leastUsed(cands []*questions.Question, used map[string]int) *questions.Question {
	min := -1
	var best []*questions.Question
	for _, q := range cands {
		n := used[q.ID]
		switch {
		case min < 0 || n < min:
			min, best = n, []*questions.Question{q}
		case n == min:
			best = append(best, q)
		}
	}
	return best[s.intn(len(best))]
}

// Round returns the round id of the tenant, or ENotFound.
func (s *Store) Round(ctx context.Context, t Tenant, id uint64) (Round, error) {
	return first[Round](s.db.WithContext(ctx).Where("id = ? AND platform = ? AND team = ?", id, t.Platform, t.Team),
		Errorf(ENotFound, "This round is not known here."), fmt.Sprintf("round %d", id))
}

// OpenRoundIn returns the channel's open round, or ENotFound.
func (s *Store) OpenRoundIn(ctx context.Context, t Tenant, channel string) (Round, error) {
	return first[Round](s.db.WithContext(ctx).Where("open_key = ?", openKey(t, channel)),
		Errorf(ENotFound, "There is no open round in this channel."), "open round")
}

// AnswerCount returns how many people have answered the round.
func (s *Store) AnswerCount(ctx context.Context, roundID uint64) (int, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Answer{}).Where("round_id = ?", roundID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count answers of round %d: %w", roundID, err)
	}
	return int(n), nil
}
