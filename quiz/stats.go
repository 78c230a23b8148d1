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

// Stats computes a person's stats. Accuracy by concept uses the question
// bank's tags, so it follows the bank as it is now.
func (s *Store) Stats(ctx context.Context, t Tenant, user string) (Stats, error) {
	var atts []Attempt
	err := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND user_id = ?", t.Platform, t.Team, user).
		Order("at, id").Find(&atts).Error
	if err != nil {
		return Stats{}, fmt.Errorf("list attempts: %w", err)
	}
	var st Stats
	cats := map[string]*Accuracy{}
	tags := map[string]*Accuracy{}
	add := func(m map[string]*Accuracy, name string, ok bool) {
		a := m[name]
		if a == nil {
			a = &Accuracy{Name: name}
			m[name] = a
		}
		a.Total++
		if ok {
			a.Correct++
		}
	}
	run := 0
	for _, a := range atts {
		st.Overall.Total++
		if a.Mode == "round" {
			st.Rounds++
		}
		if a.Correct {
			st.Overall.Correct++
			run++
			st.BestStreak = max(st.BestStreak, run)
		} else {
			run = 0
		}
		add(cats, a.Category, a.Correct)
		if q, ok := s.bank.Get(a.QuestionID); ok {
			for _, tag := range q.Tags {
				add(tags, tag, a.Correct)
			}
		}
	}
	st.CurrentStreak = run
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
