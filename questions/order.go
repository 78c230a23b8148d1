package questions

import (
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Order is the order in which a question's options are shown: Order[i] is
// the index, in the file, of the option shown with letter Letter(i).
// Answers are stored by the file's letters (canonical), so the order only
// changes what people see.
type Order []int

// Identity is the file's own order, as every round before shuffling showed.
func Identity(n int) Order {
	o := make(Order, n)
	for i := range o {
		o[i] = i
	}
	return o
}

// Shuffles reports whether q's options are shown shuffled. A question opts
// out with `shuffle: false` when an option names another by its letter.
func (q *Question) Shuffles() bool { return q.Shuffle == nil || *q.Shuffle }

// Numeric reports whether every option is a plain number (a timing
// question's seconds, a count): such options are shown sorted ascending,
// since a shuffled scale reads as a puzzle of its own.
func (q *Question) Numeric() bool {
	if len(q.Options) == 0 {
		return false
	}
	for _, o := range q.Options {
		if _, err := strconv.ParseFloat(strings.TrimSpace(o.Text), 64); err != nil {
			return false
		}
	}
	return true
}

// Order returns the display order for seed (a round id, a drill item, a
// redo card). The same seed gives the same order, so everyone in a channel
// sees one order and the reveal repeats it. Numeric options come sorted
// ascending; `shuffle: false` keeps the file's order.
func (q *Question) Order(seed uint64) Order {
	n := len(q.Options)
	o := Identity(n)
	switch {
	case !q.Shuffles():
	case q.Numeric():
		sort.SliceStable(o, func(i, j int) bool {
			a, _ := strconv.ParseFloat(strings.TrimSpace(q.Options[o[i]].Text), 64)
			b, _ := strconv.ParseFloat(strings.TrimSpace(q.Options[o[j]].Text), 64)
			return a < b
		})
	default:
		h := fnv.New64a()
		h.Write([]byte(q.ID))
		r := rand.New(rand.NewPCG(seed, h.Sum64()))
		r.Shuffle(n, func(i, j int) { o[i], o[j] = o[j], o[i] })
	}
	return o
}

// String writes the order as the file's letters in display order ("CABD");
// the identity order is "".
func (o Order) String() string {
	identity := true
	var b strings.Builder
	for i, c := range o {
		identity = identity && i == c
		b.WriteString(Letter(c))
	}
	if identity {
		return ""
	}
	return b.String()
}

// ParseOrder reads an order written by String for a question of n options.
// "" is the identity. It reports false for anything that is not a
// permutation of the n letters.
func ParseOrder(s string, n int) (Order, bool) {
	if s == "" {
		return Identity(n), true
	}
	if len(s) != n {
		return nil, false
	}
	o := make(Order, n)
	seen := make([]bool, n)
	for i := 0; i < n; i++ {
		c := int(s[i]) - 'A'
		if c < 0 || c >= n || seen[c] {
			return nil, false
		}
		seen[c] = true
		o[i] = c
	}
	return o, true
}

// Canonical returns the file letter of the option shown as letter, or ""
// when letter is not shown.
func (o Order) Canonical(letter string) string {
	letter = strings.ToUpper(strings.TrimSpace(letter))
	if len(letter) != 1 {
		return ""
	}
	i := int(letter[0]) - 'A'
	if i < 0 || i >= len(o) {
		return ""
	}
	return Letter(o[i])
}

// Shown returns the letter under which the option with file index i is
// shown.
func (o Order) Shown(i int) string {
	for pos, c := range o {
		if c == i {
			return Letter(pos)
		}
	}
	return "?"
}

// positional finds option texts that point at other options by letter or
// by place, which a shuffle would break.
var positional = regexp.MustCompile(`(?i:\b(both|all|none|neither) of (the )?(above|these|them|the others|the other options)\b)|\b(?i:options?|answers?|choices?) [A-E]\b|\b[A-E] (and|or|nor) [A-E]\b`)

// PositionalReference returns the first place where an option refers to
// another by position, or "".
func (q *Question) PositionalReference() string {
	for _, o := range q.Options {
		if m := positional.FindString(o.Text); m != "" {
			return m
		}
	}
	return ""
}
