package quiz

import (
	"context"
	"fmt"
	"sort"
)

// Accuracy is right answers out of answers.
type Accuracy struct {
	Name    string
	Correct int
	Total   int
}

// Percent returns the accuracy as a whole percentage.
func (a Accuracy) Percent() int {
	if a.Total == 0 {
		return 0
	}
	return a.Correct * 100 / a.Total
}

// Stats is one person's record across rounds, drills and redos.
type Stats struct {
	Overall       Accuracy
	Rounds        int // channel rounds answered
	ByCategory    []Accuracy
	ByTag         []Accuracy // weakest first
	CurrentStreak int        // right answers in a row, most recent first
	BestStreak    int
	Redo          RedoSummary
}

// Stats computes a person's stats, aggregated in SQL: accuracy per
// question (then per category and concept through the bank's tags, so it
// follows the bank as it is now) and the right-answer streaks by window
// functions, never the person's whole history in memory.
func (s *Store) Stats(ctx context.Context, t Tenant, user string) (Stats, error) {
	db := s.db.WithContext(ctx)
	who := db.Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user)
	var perQ []struct {
		QuestionID string
		Category   string
		Total      int
		Correct    int
		Rounds     int
	}
	err := db.Model(&Attempt{}).Where(who).
		Select("question_id, category, COUNT(*) AS total, SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS correct, " +
			"SUM(CASE WHEN mode = 'round' THEN 1 ELSE 0 END) AS rounds").
		Group("question_id, category").Scan(&perQ).Error
	if err != nil {
		return Stats{}, fmt.Errorf("aggregate attempts: %w", err)
	}
	var st Stats
	cats := map[string]*Accuracy{}
	tags := map[string]*Accuracy{}
	add := func(m map[string]*Accuracy, name string, total, correct int) {
		a := m[name]
		if a == nil {
			a = &Accuracy{Name: name}
			m[name] = a
		}
		a.Total += total
		a.Correct += correct
	}
	for _, r := range perQ {
		st.Overall.Total += r.Total
		st.Overall.Correct += r.Correct
		st.Rounds += r.Rounds
		add(cats, r.Category, r.Total, r.Correct)
		if q, ok := s.bank.Get(r.QuestionID); ok {
			for _, tag := range q.Tags {
				add(tags, tag, r.Total, r.Correct)
			}
		}
	}
	var streak struct {
		Current int
		Best    int
	}
	// Islands of right answers: within a run, the overall row number and the
	// row number among right answers differ by a constant.
	err = db.Raw(`SELECT
		(SELECT COUNT(*) FROM attempts WHERE platform = @p AND team = @t AND user_id = @u AND correct
			AND id > COALESCE((SELECT MAX(id) FROM attempts WHERE platform = @p AND team = @t AND user_id = @u AND NOT correct), 0)) AS current,
		(SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM (
			SELECT ROW_NUMBER() OVER (ORDER BY at, id) - ROW_NUMBER() OVER (PARTITION BY correct ORDER BY at, id) AS grp, correct
			FROM attempts WHERE platform = @p AND team = @t AND user_id = @u) runs
		WHERE correct GROUP BY grp) lens) AS best`,
		map[string]any{"p": t.Platform, "t": t.Team, "u": user}).Scan(&streak).Error
	if err != nil {
		return Stats{}, fmt.Errorf("compute streaks: %w", err)
	}
	st.CurrentStreak, st.BestStreak = streak.Current, streak.Best
	st.ByCategory = sortedAccuracy(cats, func(a, b Accuracy) bool { return a.Name < b.Name })
	st.ByTag = sortedAccuracy(tags, func(a, b Accuracy) bool {
		if a.Percent() != b.Percent() {
			return a.Percent() < b.Percent()
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Name < b.Name
	})
	st.Redo, err = s.Redos(ctx, t, user)
	if err != nil {
		return Stats{}, err
	}
	return st, nil
}

func sortedAccuracy(m map[string]*Accuracy, less func(a, b Accuracy) bool) []Accuracy {
	out := make([]Accuracy, 0, len(m))
	for _, a := range m {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}
