package questions

import (
	"regexp"
	"strings"
)

// Meta is what a "meta" option claims about a program instead of quoting
// its output: that it raises, hangs, prints nothing, or raises nothing.
type Meta int

// The meta claims verify understands (see README.md).
const (
	MetaNone        Meta = iota // a literal output, or an exception class
	MetaRaises                  // "It raises X …": the program raises X
	MetaHangs                   // "It hangs" / "It never finishes"
	MetaNothing                 // "Nothing is printed" / "It prints nothing"
	MetaNoException             // "No exception …" (error questions)
)

var (
	raisesRe  = regexp.MustCompile("^It raises `?([A-Za-z_][A-Za-z0-9_.]*)")
	hangsRe   = regexp.MustCompile(`^It (hangs|never finishes)\b`)
	nothingRe = regexp.MustCompile(`^(Nothing is printed|It prints nothing)\b`)
)

// MetaOf classifies an option text.
func MetaOf(text string) Meta {
	text = strings.TrimSpace(text)
	switch {
	case raisesRe.MatchString(text):
		return MetaRaises
	case hangsRe.MatchString(text):
		return MetaHangs
	case nothingRe.MatchString(text):
		return MetaNothing
	case isNoException(text):
		return MetaNoException
	}
	return MetaNone
}

// RaisedName is the exception class an "It raises X" option names (the
// last part of a dotted name), or "".
func RaisedName(text string) string {
	m := raisesRe.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return ""
	}
	parts := strings.Split(m[1], ".")
	return parts[len(parts)-1]
}

// KeysMeta reports whether the correct option is a meta claim: the kind of
// answer a player who never picks "It raises …" or "No exception" would miss.
func (q *Question) KeysMeta() bool {
	i := q.AnswerIndex()
	return i >= 0 && MetaOf(q.Options[i].Text) != MetaNone
}
