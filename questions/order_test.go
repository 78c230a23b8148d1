package questions_test

import (
	"fmt"
	"testing"

	"github.com/asyncquiz/asyncquiz/questions"
)

func question(id string, texts ...string) *questions.Question {
	q := &questions.Question{ID: id, Answer: "A"}
	for _, t := range texts {
		q.Options = append(q.Options, questions.Option{Text: t})
	}
	return q
}

func TestQuestion_Order(t *testing.T) {
	t.Run("SameSeedSameOrder", func(t *testing.T) {
		q := question("q", "w", "x", "y", "z", "v")
		if a, b := q.Order(7).String(), q.Order(7).String(); a != b {
			t.Fatalf("Order(7) gave %q then %q", a, b)
		}
	})
	t.Run("EveryPlaceEquallyOften", func(t *testing.T) {
		// Over many seeds, the option at each file position lands at each
		// display position about 1/n of the time.
		q := question("q", "w", "x", "y", "z")
		const seeds = 40000
		var counts [4][4]int
		for s := uint64(0); s < seeds; s++ {
			for pos, c := range q.Order(s) {
				counts[c][pos]++
			}
		}
		for c := range counts {
			for pos, n := range counts[c] {
				if got := float64(n) / seeds; got < 0.23 || got > 0.27 {
					t.Errorf("option %d shown at %d in %.3f of orders, want about 0.25", c, pos, got)
				}
			}
		}
	})
	t.Run("NumericSorted", func(t *testing.T) {
		q := question("q", "0.6", "0.1", "1.2", "0.3")
		if got, want := q.Order(99).String(), "BDAC"; got != want {
			t.Fatalf("Order=%q, want %q", got, want)
		}
	})
	t.Run("ShuffleFalseKeepsFileOrder", func(t *testing.T) {
		q := question("q", "x", "y", "both x and y")
		no := false
		q.Shuffle = &no
		for s := uint64(0); s < 50; s++ {
			if got := q.Order(s).String(); got != "" {
				t.Fatalf("Order(%d)=%q, want identity", s, got)
			}
		}
	})
}

func TestOrder_RoundTrip(t *testing.T) {
	q := question("q", "a", "b", "c", "d", "e")
	for s := uint64(0); s < 100; s++ {
		o := q.Order(s)
		back, ok := questions.ParseOrder(o.String(), 5)
		if !ok || fmt.Sprint(back) != fmt.Sprint(o) {
			t.Fatalf("ParseOrder(%q)=%v,%v want %v", o.String(), back, ok, o)
		}
		for pos := range o {
			shown := questions.Letter(pos)
			canon := o.Canonical(shown)
			if got := o.Shown(q.Index(canon)); got != shown {
				t.Fatalf("order %s: %s -> %s -> %s", o, shown, canon, got)
			}
		}
	}
	for _, bad := range []string{"AB", "AABCD", "ABCDF", "abcde"} {
		if _, ok := questions.ParseOrder(bad, 5); ok {
			t.Errorf("ParseOrder(%q) accepted", bad)
		}
	}
	if got := questions.Identity(3).Canonical("D"); got != "" {
		t.Errorf("Canonical(D) of 3 options=%q, want empty", got)
	}
}

func TestQuestion_PositionalReference(t *testing.T) {
	tests := map[string]bool{
		"Both A and B":                 true,
		"none of the above":            true,
		"Option C, but only on 3.12":   true,
		"It prints a and b":            false,
		"gather returns both results":  false,
		"A then B":                     false,
		"It raises KeyError: 'A or B'": true,
	}
	for text, want := range tests {
		q := question("q", "x", text)
		if got := q.PositionalReference() != ""; got != want {
			t.Errorf("PositionalReference(%q)=%v, want %v", text, got, want)
		}
	}
}

func TestMetaOf(t *testing.T) {
	tests := map[string]questions.Meta{
		"It raises RuntimeError: no running event loop": questions.MetaRaises,
		"It hangs":                   questions.MetaHangs,
		"It never finishes":          questions.MetaHangs,
		"Nothing is printed":         questions.MetaNothing,
		"No exception: it returns 1": questions.MetaNoException,
		"it raises nothing":          questions.MetaNone,
		"It hangs after printing a":  questions.MetaHangs,
		"It hangs (nobody sets it)":  questions.MetaHangs,
		"hello":                      questions.MetaNone,
	}
	for text, want := range tests {
		if got := questions.MetaOf(text); got != want {
			t.Errorf("MetaOf(%q)=%v, want %v", text, got, want)
		}
	}
	if got := questions.RaisedName("It raises asyncio.CancelledError"); got != "CancelledError" {
		t.Errorf("RaisedName=%q", got)
	}
}
