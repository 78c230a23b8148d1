package console

import (
	"strings"
	"unicode"

	"github.com/asyncquiz/asyncquiz/bot"
	"golang.org/x/text/width"
)

// wrapper collects a message's lines, wrapping prose to width columns.
type wrapper struct {
	width int // 0 or less: no wrapping
	lines []string
}

func (w *wrapper) blank() { w.lines = append(w.lines, "") }

func (w *wrapper) section(s bot.Section) {
	if s.Heading != "" {
		w.prose(s.Heading, "", "")
	}
	if s.Text != "" {
		w.prose(s.Text, "", "")
	}
}

// verbatim adds a line of code or program output as it is, after indent.
func (w *wrapper) verbatim(indent, line string) {
	w.lines = append(w.lines, strings.TrimRight(indent+line, " "))
}

// prose adds text, each of its lines wrapped at spaces: the first line
// starts with first, every other line (the text's own and the wrapped
// ones) with hang. A bulleted line ("• ...") hangs under its text.
func (w *wrapper) prose(text, first, hang string) {
	for i, line := range strings.Split(text, "\n") {
		prefix := first
		if i > 0 {
			prefix = hang
		}
		lead := line[:len(line)-len(strings.TrimLeft(line, " "))]
		body := line[len(lead):]
		more := hang + lead
		for _, bullet := range []string{"• ", "- ", "* "} {
			if strings.HasPrefix(body, bullet) {
				more += strings.Repeat(" ", columns(bullet))
			}
		}
		w.lines = append(w.lines, wrapLine(body, w.width, prefix+lead, more)...)
	}
}

// wrapLine breaks line at spaces so that each piece, after its prefix
// (first, then rest), fits in width columns where it can. A word wider than
// the room stands alone, whole. Spacing between words that stay together is
// kept as written.
func wrapLine(line string, width int, first, rest string) []string {
	if width <= 0 || columns(first)+columns(line) <= width {
		return []string{strings.TrimRight(first+line, " ")}
	}
	var out []string
	cur, curW, empty := first, columns(first), true
	for line != "" {
		gap := line[:len(line)-len(strings.TrimLeft(line, " "))]
		line = line[len(gap):]
		end := strings.IndexByte(line, ' ')
		if end < 0 {
			end = len(line)
		}
		word := line[:end]
		line = line[end:]
		if word == "" {
			break // trailing spaces
		}
		ww := columns(word)
		switch {
		case empty:
			cur, curW = cur+word, curW+ww
		case curW+len(gap)+ww <= width:
			cur, curW = cur+gap+word, curW+len(gap)+ww
		default:
			out = append(out, cur)
			cur, curW = rest+word, columns(rest)+ww
		}
		empty = false
	}
	return append(out, strings.TrimRight(cur, " "))
}

// columns is how many terminal columns s takes: wide characters (most
// emoji, CJK) take two, combining marks none.
func columns(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == '\u200d' || r == '\ufe0f':
			// combining, zero-width joiner, emoji presentation selector
		case width.LookupRune(r).Kind() == width.EastAsianWide || width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
