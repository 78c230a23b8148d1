package questions

import (
	"fmt"
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
)

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
}

// Fair measures b.
func Fair(b *Bank) Fairness {
	f := Fairness{Letters: map[string]int{}, Longest: map[string][2]int{}, NumericRank: map[string]int{}}
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
		if !q.Shuffles() {
			f.Unshuffled++
		} else if q.Numeric() {
			f.Numeric++
			f.NumericRank[q.Order(0).Shown(ans)]++
		}
	}
	return f
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
