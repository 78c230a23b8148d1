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
	held, err := s.heldQuestions(ctx)
	if err != nil {
		return nil, err
	}
	var cands []*questions.Question
	for _, q := range s.bank.Filter(in.Category, in.Difficulty) {
		if !held[q.ID] { // reported by several people: out until reviewed
			cands = append(cands, q)
		}
	}
	if len(cands) == 0 {
		return nil, Errorf(EInvalid, "No questions match category %q and difficulty %s. Try without them.",
			in.Category, questions.DifficultyName(in.Difficulty))
	}
	var rows []struct {
		QuestionID string
		N          int
	}
	err = s.db.WithContext(ctx).Model(&Round{}).Select("question_id, count(*) AS n").
		Where("platform = ? AND team = ? AND channel = ?", in.Platform, in.Team, in.Channel).
		Group("question_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count used questions: %w", err)
	}
	used := make(map[string]int, len(rows))
	for _, r := range rows {
		used[r.QuestionID] = r.N
	}
	best := leastUsed(cands, used)
	if in.ScheduleID != nil {
		// A daily round is a channel's routine: once it has data, prefer
		// questions it should get right 60-75% of the time, as long as
		// that does not make it repeat them much more than the rest.
		zone, err := s.inTheZone(ctx, in, cands)
		if err != nil {
			return nil, err
		}
		if fresh := leastUsed(zone, used); len(fresh) > 0 && used[fresh[0].ID] <= used[best[0].ID]+1 {
			best = fresh
		} else if near, err := s.inTheZone(ctx, in, best); err != nil {
			return nil, err
		} else if len(near) > 0 {
			best = near
		}
	}
	return best[s.intn(len(best))], nil
}

// leastUsed returns the candidates used the fewest times.
func leastUsed(cands []*questions.Question, used map[string]int) []*questions.Question {
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
	return best
}

// The band of expected success a daily round aims for, and how much a
// channel and a question need behind them before the estimate is trusted.
const (
	zoneLow, zoneHigh  = 0.60, 0.75
	channelAnswersMin  = 20
	questionAnswersMin = 10
)

// inTheZone returns the candidates whose expected success in the channel
// lies in [zoneLow, zoneHigh], or the ones closest to it; nothing while the
// channel has too little data. Expected success is the question's share of
// right answers everywhere (or a prior by difficulty), shifted by how much
// better or worse than everyone this channel does.
func (s *Store) inTheZone(ctx context.Context, in OpenInput, cands []*questions.Question) ([]*questions.Question, error) {
	db := s.db.WithContext(ctx)
	var ch struct{ Answers, Correct int }
	err := db.Model(&Score{}).Select("COALESCE(SUM(answers), 0) AS answers, COALESCE(SUM(correct), 0) AS correct").
		Where("platform = ? AND team = ? AND channel = ? AND period = ?", in.Platform, in.Team, in.Channel, PeriodAll).Scan(&ch).Error
	if err != nil {
		return nil, fmt.Errorf("read channel accuracy: %w", err)
	}
	if ch.Answers < channelAnswersMin {
		return nil, nil
	}
	var totals []struct {
		QuestionID string
		Answers    int
		Correct    int
	}
	if err := db.Model(&ItemTotal{}).Select("question_id, SUM(answers) AS answers, SUM(correct) AS correct").
		Group("question_id").Scan(&totals).Error; err != nil {
		return nil, fmt.Errorf("read question accuracy: %w", err)
	}
	rate := map[string]float64{}
	all, allRight := 0, 0
	for _, t := range totals {
		all, allRight = all+t.Answers, allRight+t.Correct
		if t.Answers >= questionAnswersMin {
			rate[t.QuestionID] = float64(t.Correct) / float64(t.Answers)
		}
	}
	shift := float64(ch.Correct) / float64(ch.Answers)
	if all > 0 {
		shift -= float64(allRight) / float64(all)
	}
	prior := map[int]float64{1: 0.80, 2: 0.65, 3: 0.45}
	var inside, closest []*questions.Question
	bestGap := 2.0
	for _, q := range cands {
		p, ok := rate[q.ID]
		if !ok {
			p = prior[q.Difficulty]
		}
		e := min(max(p+shift, 0), 1)
		if e >= zoneLow && e <= zoneHigh {
			inside = append(inside, q)
			continue
		}
		gap := min(abs(e-zoneLow), abs(e-zoneHigh))
		switch {
		case gap < bestGap-1e-9:
			bestGap, closest = gap, []*questions.Question{q}
		case gap < bestGap+1e-9:
			closest = append(closest, q)
		}
	}
	if len(inside) > 0 {
		return inside, nil
	}
	return closest, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
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
