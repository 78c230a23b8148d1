package quiz

import (
	"context"
	"fmt"
	"sort"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
)

// Drill bounds.
const (
	DefaultDrillCount = 10
	MaxDrillCount     = 50
)

// DrillCard is a drill question to show.
type DrillCard struct {
	DrillID  uint64
	Seq      int // 1-based position in the drill
	Count    int
	Question *questions.Question
	Order    questions.Order // the order the card shows the options in
}

// DrillInput asks for a drill.
type DrillInput struct {
	Tenant
	UserID   string
	Count    int    // 1 to 50; 0 means 10
	Category string // "" or "mixed" for all
}

// StartDrill starts a personal practice run and returns its first question.
// A drill the person had not finished is abandoned. Returns EInvalid for a
// count out of range or a category with no questions.
func (s *Store) StartDrill(ctx context.Context, in DrillInput) (DrillCard, error) {
	if in.Count == 0 {
		in.Count = DefaultDrillCount
	}
	if err := ValidDrillCount(in.Count); err != nil {
		return DrillCard{}, err
	}
	if len(s.bank.Filter(in.Category, 0)) == 0 {
		return DrillCard{}, Errorf(EInvalid, "No questions in category %q.", in.Category)
	}
	now := s.Now()
	recent := s.db.WithContext(ctx).Model(&Drill{}).Where("platform = ? AND team = ? AND user_id = ? AND created_at > ?",
		in.Platform, in.Team, in.UserID, now.Add(-LimitWindow))
	if err := overLimit(recent, s.limits.DrillsPerUser, "drills started by you"); err != nil {
		return DrillCard{}, err
	}
	var card DrillCard
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Drill{}).Where("platform = ? AND team = ? AND user_id = ? AND state = ?", in.Platform, in.Team, in.UserID, DrillActive).
			Select("state", "finished_at").Updates(&Drill{State: DrillAbandoned, FinishedAt: &now}).Error
		if err != nil {
			return fmt.Errorf("abandon drills: %w", err)
		}
		category := in.Category
		if category == "mixed" {
			category = ""
		}
		d := Drill{Platform: in.Platform, Team: in.Team, UserID: in.UserID, Category: category,
			Count: in.Count, Difficulty: 1, State: DrillActive, CreatedAt: now}
		if err := tx.Create(&d).Error; err != nil {
			return fmt.Errorf("create drill: %w", err)
		}
		card, err = s.askNext(tx, d, nil)
		return err
	})
	return card, err
}

// ActiveDrill returns the card the person is on in their drill under way:
// the question asked and not yet answered, in the order it was shown. The
// drill lives in the database, so it outlasts a restart of the process or
// of `asyncquiz play`. Returns ENotFound when the person has no drill
// under way, or when its question has been retired from the bank since.
func (s *Store) ActiveDrill(ctx context.Context, t Tenant, user string) (DrillCard, error) {
	db := s.db.WithContext(ctx)
	d, err := first[Drill](db.Where("platform = ? AND team = ? AND user_id = ? AND state = ?", t.Platform, t.Team, user, DrillActive).Order("id DESC"),
		Errorf(ENotFound, "You have no drill under way."), "drill under way")
	if err != nil {
		return DrillCard{}, err
	}
	item, err := first[DrillItem](db.Where("drill_id = ? AND seq = ?", d.ID, d.Asked+1),
		Errorf(ENotFound, "Your drill has no question waiting."), "drill question")
	if err != nil {
		return DrillCard{}, err
	}
	q, err := s.Question(item.QuestionID)
	if err != nil {
		return DrillCard{}, err
	}
	return DrillCard{DrillID: d.ID, Seq: item.Seq, Count: d.Count, Question: q, Order: orderOf(item.OptionOrder, q)}, nil
}

// askNext picks the drill's next question near its target difficulty,
// preferring questions the person has never answered, and stores it.
func (s *Store) askNext(tx *gorm.DB, d Drill, asked map[string]bool) (DrillCard, error) {
	var seen []string
	err := tx.Model(&Attempt{}).Distinct("question_id").
		Where("platform = ? AND team = ? AND user_id = ?", d.Platform, d.Team, d.UserID).Pluck("question_id", &seen).Error
	if err != nil {
		return DrillCard{}, fmt.Errorf("list answered questions: %w", err)
	}
	used := make(map[string]int, len(seen)+len(asked))
	for _, id := range seen {
		used[id] = 1
	}
	for id := range asked {
		used[id] = 2 // never twice in one drill while others remain
	}
	var best []*questions.Question
	bestDist := 99
	for _, q := range s.bank.Filter(d.Category, 0) {
		dist := q.Difficulty - d.Difficulty
		if dist < 0 {
			dist = -dist
		}
		// Weight: what was asked in this drill is last, then distance, then seen.
		score := used[q.ID]*10 + dist
		if used[q.ID] == 2 {
			score = 100 + dist
		}
		switch {
		case score < bestDist:
			bestDist, best = score, []*questions.Question{q}
		case score == bestDist:
			best = append(best, q)
		}
	}
	q := best[s.intn(len(best))]
	seq := d.Asked + 1
	order := q.Order(d.ID<<8 ^ uint64(seq))
	item := DrillItem{DrillID: d.ID, Seq: seq, QuestionID: q.ID, AskedAt: s.Now(), OptionOrder: order.String()}
	if err := tx.Create(&item).Error; err != nil {
		return DrillCard{}, fmt.Errorf("add drill question: %w", err)
	}
	return DrillCard{DrillID: d.ID, Seq: seq, Count: d.Count, Question: q, Order: order}, nil
}

// DrillStep is the feedback on one drill answer, then the next question or
// the summary.
type DrillStep struct {
	Question *questions.Question
	Option   string          // the file letter answered
	Order    questions.Order // the order the card showed
	Correct  bool
	Seq      int
	Count    int
	Next     *DrillCard    // nil when the drill is over
	Summary  *DrillSummary // set when the drill is over
}

// DrillSummary ends a drill.
type DrillSummary struct {
	Correct int
	Count   int
	Missed  []TagCount // concepts of the missed questions, most missed first
}

// TagCount is a concept and how often it came up.
type TagCount struct {
	Tag   string
	Count int
}

// AnswerDrill answers question seq of a drill. A second answer to the same
// question returns EConflict and changes nothing; EInvalid for a bad letter;
// ENotFound for a drill that is not the person's or is over.
func (s *Store) AnswerDrill(ctx context.Context, t Tenant, user string, drillID uint64, seq int, option string) (DrillStep, error) {
	now := s.Now()
	var step DrillStep
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, err := first[Drill](tx.Where("id = ? AND platform = ? AND team = ? AND user_id = ?", drillID, t.Platform, t.Team, user),
			Errorf(ENotFound, "That drill is not yours."), fmt.Sprintf("drill %d", drillID))
		if err != nil {
			return err
		}
		item, err := first[DrillItem](tx.Where("drill_id = ? AND seq = ?", d.ID, seq),
			Errorf(ENotFound, "That drill question does not exist."), "drill question")
		if err != nil {
			return err
		}
		q, err := s.Question(item.QuestionID)
		if err != nil {
			return err
		}
		order := orderOf(item.OptionOrder, q)
		if item.Option != "" {
			return Errorf(EConflict, "You already answered %s to this one.", order.Shown(q.Index(item.Option)))
		}
		if d.State != DrillActive {
			return Errorf(ENotFound, "That drill is over.")
		}
		letter := order.Canonical(option)
		if letter == "" {
			return Errorf(EInvalid, "There is no option %q; choose %s.", option, letterRange(q))
		}
		correct := q.IsCorrect(letter)
		res := tx.Model(&DrillItem{}).Where("id = ? AND option = ''", item.ID).
			Select("option", "correct", "answered_at").Updates(&DrillItem{Option: letter, Correct: correct, AnsweredAt: &now})
		if res.Error != nil {
			return fmt.Errorf("answer drill question: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return Errorf(EConflict, "You already answered this one.")
		}
		if err := s.recordAttempt(tx, t, user, q, "drill", letter, now); err != nil {
			return err
		}
		d.Asked = seq
		if correct {
			d.Correct++
			d.Difficulty = min(d.Difficulty+1, 3)
		} else {
			d.Difficulty = max(d.Difficulty-1, 1)
		}
		step = DrillStep{Question: q, Option: letter, Order: order, Correct: correct, Seq: seq, Count: d.Count}
		cols := []string{"asked", "correct", "difficulty"}
		if d.Asked >= d.Count {
			d.State, d.FinishedAt, cols = DrillDone, &now, append(cols, "state", "finished_at")
		}
		if err := tx.Model(&Drill{}).Where("id = ?", d.ID).Select(cols).Updates(&d).Error; err != nil {
			return fmt.Errorf("update drill: %w", err)
		}
		if d.Asked < d.Count {
			asked, err := drillQuestions(tx, d.ID)
			if err != nil {
				return err
			}
			next, err := s.askNext(tx, d, asked)
			if err != nil {
				return err
			}
			step.Next = &next
			return nil
		}
		sum, err := s.drillSummary(tx, d)
		if err != nil {
			return err
		}
		step.Summary = &sum
		return nil
	})
	return step, err
}

func drillQuestions(tx *gorm.DB, drillID uint64) (map[string]bool, error) {
	var ids []string
	if err := tx.Model(&DrillItem{}).Where("drill_id = ?", drillID).Pluck("question_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list drill questions: %w", err)
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	return asked, nil
}

func (s *Store) drillSummary(tx *gorm.DB, d Drill) (DrillSummary, error) {
	var items []DrillItem
	if err := tx.Where("drill_id = ?", d.ID).Find(&items).Error; err != nil {
		return DrillSummary{}, fmt.Errorf("list drill answers: %w", err)
	}
	sum := DrillSummary{Correct: d.Correct, Count: d.Count}
	missed := map[string]int{}
	for _, it := range items {
		if it.Correct || it.Option == "" {
			continue
		}
		if q, ok := s.bank.Get(it.QuestionID); ok {
			for _, tag := range q.Tags {
				missed[tag]++
			}
		}
	}
	sum.Missed = sortTags(missed)
	return sum, nil
}

func sortTags(m map[string]int) []TagCount {
	out := make([]TagCount, 0, len(m))
	for t, n := range m {
		out = append(out, TagCount{t, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Tag < out[j].Tag
	})
	return out
}

// DrillQuestion returns the question asked at seq of the person's drill,
// or ENotFound.
func (s *Store) DrillQuestion(ctx context.Context, t Tenant, user string, drillID uint64, seq int) (*questions.Question, error) {
	item, err := first[DrillItem](s.db.WithContext(ctx).
		Joins("JOIN drills ON drills.id = drill_items.drill_id").
		Where("drill_items.drill_id = ? AND drill_items.seq = ? AND drills.platform = ? AND drills.team = ? AND drills.user_id = ?",
			drillID, seq, t.Platform, t.Team, user).Select("drill_items.*"),
		Errorf(ENotFound, "That drill question is not yours."), "drill question")
	if err != nil {
		return nil, err
	}
	return s.Question(item.QuestionID)
}
