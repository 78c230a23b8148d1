package questions

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Fairness rules: a bank that breaks one can be gamed without knowing
// asyncio (by picking the longest option, by never picking "It raises …",
// by picking the middle of a sorted scale). Lint enforces them on banks of
// at least FairnessMinBank questions; smaller folders get the summary only.
// The file's own letters are only reported: options are shown shuffled, and
// an option keeps its letter for life so stored answers stay right.
const (
	FairnessMinBank      = 30
	MinManyOptionsShare  = 0.85 // questions with 4 or 5 options
	MaxConceptLongestKey = 0.35 // concept questions whose key is the single longest option
	MinMetaKeyedShare    = 0.10 // code questions keying "It raises", "It hangs", "No exception", …
	MaxNumericRankShare  = 0.40 // one sorted position as the key of numeric questions
	MaxStrategyGain      = 0.10 // what a zero-knowledge strategy may score above blind guessing
)

// strategies are ways to answer without reading the question: each picks,
// among a question's options, the ones it would choose at random from.
var strategies = []struct {
	name string
	pick func(q *Question) []int
}{
	{"pick the longest", func(q *Question) []int { return byLength(q, func(n, best int) bool { return n > best }) }},
	{"pick the shortest", func(q *Question) []int { return byLength(q, func(n, best int) bool { return n < best }) }},
	{"avoid the longest", func(q *Question) []int { return except(q, byLength(q, func(n, best int) bool { return n > best })) }},
	{"pick a middle length", middleLength},
	{"never pick a meta option", func(q *Question) []int { return where(q, func(o Option) bool { return MetaOf(o.Text) == MetaNone }) }},
	{"always pick a meta option", func(q *Question) []int { return where(q, func(o Option) bool { return MetaOf(o.Text) != MetaNone }) }},
}

func optLen(o Option) int { return len([]rune(strings.TrimSpace(o.Text))) }

// byLength returns the options whose length is the extreme better picks.
func byLength(q *Question, better func(n, best int) bool) []int {
	var out []int
	best := -1
	for i, o := range q.Options {
		switch n := optLen(o); {
		case best < 0 || better(n, best):
			best, out = n, []int{i}
		case n == best:
			out = append(out, i)
		}
	}
	return out
}

func middleLength(q *Question) []int {
	idx := make([]int, len(q.Options))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return optLen(q.Options[idx[a]]) < optLen(q.Options[idx[b]]) })
	if len(idx) <= 2 {
		return idx
	}
	return idx[1 : len(idx)-1]
}

func except(q *Question, drop []int) []int {
	var out []int
	for i := range q.Options {
		if !slices.Contains(drop, i) {
			out = append(out, i)
		}
	}
	return out
}

func where(q *Question, ok func(Option) bool) []int {
	var out []int
	for i, o := range q.Options {
		if ok(o) {
			out = append(out, i)
		}
	}
	return out
}

// Fairness summarises how guessable a bank is.
type Fairness struct {
	Questions   int
	Letters     map[string]int // key letter in the file's order
	ManyOptions int            // questions with 4 or 5 options
	Longest     map[string][2]int
	Code        int // output, error and timing questions
	MetaKeyed   int // code questions whose key is a meta option
	Numeric     int
	NumericRank map[string]int // letter of the key once numeric options are sorted
	Unshuffled  int
	Chance      float64            // expected score of blind guessing
	Strategies  map[string]float64 // expected score of each zero-knowledge strategy
}

// Fair measures b.
func Fair(b *Bank) Fairness {
	f := Fairness{Letters: map[string]int{}, Longest: map[string][2]int{}, NumericRank: map[string]int{}, Strategies: map[string]float64{}}
	for _, q := range b.Questions {
		ans := q.AnswerIndex()
		if ans < 0 {
			continue
		}
		f.Questions++
		f.Letters[Letter(ans)]++
		if len(q.Options) >= 4 {
			f.ManyOptions++
		}
		l := f.Longest[q.Kind]
		l[1]++
		if singleLongest(q) == ans {
			l[0]++
		}
		f.Longest[q.Kind] = l
		if q.Kind != "concept" {
			f.Code++
			if q.KeysMeta() {
				f.MetaKeyed++
			}
		}
		f.Chance += 1 / float64(len(q.Options))
		for _, s := range strategies {
			picks := s.pick(q)
			if len(picks) == 0 { // nothing to prefer: the strategy guesses
				f.Strategies[s.name] += 1 / float64(len(q.Options))
			} else if slices.Contains(picks, ans) {
				f.Strategies[s.name] += 1 / float64(len(picks))
			}
		}
		if !q.Shuffles() {
			f.Unshuffled++
		} else if q.Numeric() {
			f.Numeric++
			f.NumericRank[q.Order(0).Shown(ans)]++
		}
	}
	if f.Questions > 0 {
		f.Chance /= float64(f.Questions)
		for k := range f.Strategies {
			f.Strategies[k] /= float64(f.Questions)
		}
	}
	return f
}

// BestStrategy is the zero-knowledge strategy that scores most, and its
// expected score.
func (f Fairness) BestStrategy() (string, float64) {
	best, score := "", -1.0
	for _, s := range strategies {
		if v := f.Strategies[s.name]; v > score {
			best, score = s.name, v
		}
	}
	return best, score
}

// singleLongest is the index of the option strictly longer than every
// other, or -1.
func singleLongest(q *Question) int {
	best, bestLen, tie := -1, -1, false
	for i, o := range q.Options {
		n := len([]rune(strings.TrimSpace(o.Text)))
		switch {
		case n > bestLen:
			best, bestLen, tie = i, n, false
		case n == bestLen:
			tie = true
		}
	}
	if tie {
		return -1
	}
	return best
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Problems lists the broken rules, or nothing for a bank smaller than
// FairnessMinBank.
func (f Fairness) Problems() []string {
	if f.Questions < FairnessMinBank {
		return nil
	}
	var out []string
	if s := share(f.ManyOptions, f.Questions); s < MinManyOptionsShare {
		out = append(out, fmt.Sprintf("only %.0f%% of questions have 4 or 5 options (at least %.0f%% must)", s*100, MinManyOptionsShare*100))
	}
	if c := f.Longest["concept"]; c[1] > 0 && share(c[0], c[1]) > MaxConceptLongestKey {
		out = append(out, fmt.Sprintf("in %d of %d concept questions the key is the single longest option (at most %.0f%%)", c[0], c[1], MaxConceptLongestKey*100))
	}
	if s := share(f.MetaKeyed, f.Code); s < MinMetaKeyedShare {
		out = append(out, fmt.Sprintf("only %d of %d code questions key a meta option such as \"It raises …\", \"It hangs\" or \"No exception\" (at least %.0f%%)", f.MetaKeyed, f.Code, MinMetaKeyedShare*100))
	}
	if name, v := f.BestStrategy(); v-f.Chance > MaxStrategyGain {
		out = append(out, fmt.Sprintf("%q scores %.0f%% without reading the questions, against %.0f%% for blind guessing (at most %.0f points more)",
			name, v*100, f.Chance*100, MaxStrategyGain*100))
	}
	if f.Numeric >= 5 {
		for _, l := range sortedKeys(f.NumericRank) {
			if s := share(f.NumericRank[l], f.Numeric); s > MaxNumericRankShare {
				out = append(out, fmt.Sprintf("in %d of %d numeric questions the key is shown sorted as %s (at most %.0f%%)", f.NumericRank[l], f.Numeric, l, MaxNumericRankShare*100))
			}
		}
	}
	return out
}

// String is the summary `questions lint` prints.
func (f Fairness) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fairness over %d questions:\n", f.Questions)
	fmt.Fprintf(&b, "  key letter in file order:   %s (shown shuffled except %d numeric, sorted, and %d with shuffle: false)\n", shares(f.Letters, f.Questions), f.Numeric, f.Unshuffled)
	fmt.Fprintf(&b, "  4 or 5 options:             %d (%.0f%%)\n", f.ManyOptions, share(f.ManyOptions, f.Questions)*100)
	var kinds []string
	for _, k := range Kinds {
		if l := f.Longest[k]; l[1] > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d/%d (%.0f%%)", k, l[0], l[1], share(l[0], l[1])*100))
		}
	}
	fmt.Fprintf(&b, "  key is the single longest:  %s\n", strings.Join(kinds, ", "))
	fmt.Fprintf(&b, "  meta option keyed:          %d of %d code questions (%.0f%%)\n", f.MetaKeyed, f.Code, share(f.MetaKeyed, f.Code)*100)
	if f.Numeric > 0 {
		fmt.Fprintf(&b, "  numeric key, sorted place:  %s\n", shares(f.NumericRank, f.Numeric))
	}
	var strat []string
	for _, s := range strategies {
		strat = append(strat, fmt.Sprintf("%s %.0f%%", s.name, f.Strategies[s.name]*100))
	}
	fmt.Fprintf(&b, "  blind guessing scores %.0f%%; strategies that do not read the question: %s\n", f.Chance*100, strings.Join(strat, ", "))
	return b.String()
}

func shares(m map[string]int, of int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d (%.0f%%)", k, m[k], share(m[k], of)*100))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
