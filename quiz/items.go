package quiz

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ItemTotal counts a question's revealed answers in one tenant, kept up to
// date at reveal time: how often it was asked, answered, answered right,
// and how often each option (by the file's letter) was picked.
type ItemTotal struct {
	Platform   string `gorm:"primaryKey;size:16"`
	Team       string `gorm:"primaryKey;size:64"`
	QuestionID string `gorm:"primaryKey;size:128"`
	Asked      int    `gorm:"not null"`
	Answers    int    `gorm:"not null"`
	Correct    int    `gorm:"not null"`
	PickA      int    `gorm:"not null"`
	PickB      int    `gorm:"not null"`
	PickC      int    `gorm:"not null"`
	PickD      int    `gorm:"not null"`
	PickE      int    `gorm:"not null"`
}

// addItemTotals counts a revealed round in its question's totals.
func addItemTotals(tx *gorm.DB, r Round, answers []Answer) error {
	t := ItemTotal{Platform: r.Platform, Team: r.Team, QuestionID: r.QuestionID, Asked: 1, Answers: len(answers)}
	for _, a := range answers {
		if a.Correct {
			t.Correct++
		}
		switch a.Option {
		case "A":
			t.PickA++
		case "B":
			t.PickB++
		case "C":
			t.PickC++
		case "D":
			t.PickD++
		case "E":
			t.PickE++
		}
	}
	set := clause.Set{}
	for _, c := range []string{"asked", "answers", "correct", "pick_a", "pick_b", "pick_c", "pick_d", "pick_e"} {
		set = append(set, clause.Assignment{Column: clause.Column{Name: c}, Value: gorm.Expr("item_totals." + c + " + excluded." + c)})
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "question_id"}},
		DoUpdates: set,
	}).Create(&t).Error
	if err != nil {
		return fmt.Errorf("count item totals: %w", err)
	}
	return nil
}

// ItemStat is a question's statistics in a tenant, or over all tenants.
type ItemStat struct {
	QuestionID string
	Asked      int
	Answers    int
	Correct    int
	Picks      [5]int // by the file's letter, A to E
	// MedianSeconds is the median time from the round's opening to an
	// answer, to the second.
	MedianSeconds int
	// Discrimination is how much better the tenant's strongest quarter of
	// people does on the question than its weakest (in percentage points);
	// negative means the weak do better, a sign of a flawed question. Valid
	// when DiscriminationN > 0.
	Discrimination  int
	DiscriminationN int // answers from the two quarters it is based on
}

// Percent is the share of right answers.
func (s ItemStat) Percent() int {
	if s.Answers == 0 {
		return 0
	}
	return s.Correct * 100 / s.Answers
}

// ItemStats computes every question's statistics in tenant t, or over all
// tenants when t is nil: totals from item_totals, medians from the answer
// times' index, and discrimination from each tenant's people ranked by
// their all-time accuracy (scores) into quarters.
func (s *Store) ItemStats(ctx context.Context, t *Tenant) ([]ItemStat, error) {
	db := s.db.WithContext(ctx)
	scope := func(q *gorm.DB, prefix string) *gorm.DB {
		if t == nil {
			return q
		}
		return q.Where(prefix+"platform = ? AND "+prefix+"team = ?", t.Platform, t.Team)
	}
	var totals []struct {
		QuestionID                                                 string
		Asked, Answers, Correct, PickA, PickB, PickC, PickD, PickE int
	}
	err := scope(db.Model(&ItemTotal{}), "").Select("question_id, SUM(asked) AS asked, SUM(answers) AS answers, SUM(correct) AS correct, " +
		"SUM(pick_a) AS pick_a, SUM(pick_b) AS pick_b, SUM(pick_c) AS pick_c, SUM(pick_d) AS pick_d, SUM(pick_e) AS pick_e").
		Group("question_id").Scan(&totals).Error
	if err != nil {
		return nil, fmt.Errorf("read item totals: %w", err)
	}
	stats := make(map[string]*ItemStat, len(totals))
	for _, r := range totals {
		stats[r.QuestionID] = &ItemStat{QuestionID: r.QuestionID, Asked: r.Asked, Answers: r.Answers, Correct: r.Correct,
			Picks: [5]int{r.PickA, r.PickB, r.PickC, r.PickD, r.PickE}}
	}
	// Medians: answers per question per whole second, then the middle one.
	var hist []struct {
		QuestionID string
		Sec        int
		N          int
	}
	err = scope(db.Model(&Answer{}), "").Select("question_id, answer_ms / 1000 AS sec, COUNT(*) AS n").
		Group("question_id, answer_ms / 1000").Order("question_id, sec").Scan(&hist).Error
	if err != nil {
		return nil, fmt.Errorf("read answer times: %w", err)
	}
	seen := map[string]int{}
	for _, h := range hist {
		st := stats[h.QuestionID]
		if st == nil || st.Answers == 0 {
			continue
		}
		before := seen[h.QuestionID]
		if before < (st.Answers+1)/2 && before+h.N >= (st.Answers+1)/2 {
			st.MedianSeconds = h.Sec
		}
		seen[h.QuestionID] = before + h.N
	}
	if err := s.discrimination(ctx, t, stats); err != nil {
		return nil, err
	}
	out := make([]ItemStat, 0, len(stats))
	for _, st := range stats {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QuestionID < out[j].QuestionID })
	return out, nil
}

// minRanked is how many answers a person needs before they are ranked into
// a quarter for discrimination.
const minRanked = 3

func (s *Store) discrimination(ctx context.Context, t *Tenant, stats map[string]*ItemStat) error {
	where, args := "", []any{}
	if t != nil {
		where, args = "AND platform = ? AND team = ?", []any{t.Platform, t.Team}
	}
	var rows []struct {
		QuestionID string
		Quart      int
		N          int
		Correct    int
	}
	err := s.db.WithContext(ctx).Raw(`WITH ranked AS (
			SELECT platform, team, user_id,
				NTILE(4) OVER (PARTITION BY platform, team ORDER BY CAST(correct AS REAL) / answers, user_id) AS quart
			FROM scores WHERE channel = '' AND period = 'all' AND answers >= ? `+where+`)
		SELECT a.question_id AS question_id, r.quart AS quart, COUNT(*) AS n, SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) AS correct
		FROM answers a JOIN ranked r ON r.platform = a.platform AND r.team = a.team AND r.user_id = a.user_id
		WHERE r.quart IN (1, 4) GROUP BY a.question_id, r.quart`, append([]any{minRanked}, args...)...).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("compute discrimination: %w", err)
	}
	type pair struct{ low, high [2]int }
	by := map[string]*pair{}
	for _, r := range rows {
		p := by[r.QuestionID]
		if p == nil {
			p = &pair{}
			by[r.QuestionID] = p
		}
		if r.Quart == 1 {
			p.low = [2]int{r.N, r.Correct}
		} else {
			p.high = [2]int{r.N, r.Correct}
		}
	}
	for id, p := range by {
		st := stats[id]
		if st == nil || p.low[0] == 0 || p.high[0] == 0 {
			continue
		}
		st.Discrimination = p.high[1]*100/p.high[0] - p.low[1]*100/p.low[0]
		st.DiscriminationN = p.low[0] + p.high[0]
	}
	return nil
}

// Flags says what is wrong with a question's statistics, for review: too
// easy (over 90% right), too hard (under 20%), an option nobody picks, or
// negative discrimination. Only questions with enough answers are judged.
func (s ItemStat) Flags(options int) []string {
	const enough = 20
	if s.Answers < enough {
		return nil
	}
	var out []string
	switch p := s.Percent(); {
	case p > 90:
		out = append(out, "too easy")
	case p < 20:
		out = append(out, "too hard")
	}
	for i := 0; i < options && i < len(s.Picks); i++ {
		if s.Picks[i] == 0 {
			out = append(out, fmt.Sprintf("nobody picks %c", 'A'+i))
		}
	}
	if s.DiscriminationN >= enough && s.Discrimination < 0 {
		out = append(out, "negative discrimination")
	}
	return out
}
