package slack

import (
	"strings"
	"unicode"
)

// Slack mrkdwn has no backslash escape. Text from the bank or from people
// must still read exactly as written, so:
//   - &, < and > become entities, the only ones Slack decodes (a raw <
//     starts a link or a mention such as <!channel>);
//   - `code` spans stay inline code, whose content Slack never formats;
//   - a word whose *, _ or ~ could open or close formatting (one at a word
//     edge or next to punctuation: *args, __aexit__, _x_, ~/.cfg) is shown
//     as inline code, characters unchanged; inside a word (snake_case,
//     2*3) they cannot, and stay as they are;
//   - a line starting with > (a quote) is shown as code the same way;
//   - a stray backtick, which would pair with one of ours, becomes ˋ;
//   - control, format and bidi characters (which reorder or hide text)
//     are dropped, except newlines and tabs.
// Every text object is sent with verbatim: true, so Slack links no bare
// URL, channel name or @mention either.

var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text safe inside mrkdwn code: only &, < and > are special.
func escape(s string) string { return entities.Replace(s) }

// prose renders text whose `backticks` mark inline code as mrkdwn that
// reads exactly as written.
func prose(s string) string {
	var sb strings.Builder
	for _, seg := range splitCode(dropInvisible(s)) {
		if seg.code {
			sb.WriteString("`" + escape(seg.text) + "`")
		} else {
			sb.WriteString(neutralise(seg.text))
		}
	}
	return sb.String()
}

type segment struct {
	code bool
	text string
}

// splitCode splits s into prose and the code between backtick pairs, as
// Slack pairs them: left to right, within a line, never empty.
func splitCode(s string) []segment {
	var segs []segment
	add := func(code bool, t string) {
		if n := len(segs); !code && n > 0 && !segs[n-1].code {
			segs[n-1].text += t
			return
		}
		segs = append(segs, segment{code, t})
	}
	for s != "" {
		open := strings.IndexByte(s, '`')
		if open < 0 {
			add(false, s)
			break
		}
		n := strings.IndexAny(s[open+1:], "`\n")
		if n <= 0 || s[open+1+n] == '\n' {
			add(false, s[:open+1]) // a stray backtick: prose
			s = s[open+1:]
			continue
		}
		add(false, s[:open])
		add(true, s[open+1:open+1+n])
		s = s[open+2+n:]
	}
	return segs
}

// neutralise renders prose without code: words that could format are
// shown as code, the rest escaped.
func neutralise(s string) string {
	var sb strings.Builder
	lineStart := true
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			sb.WriteString(s)
			break
		}
		if strings.ContainsRune(s[:i], '\n') {
			lineStart = true
		}
		sb.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexFunc(s, unicode.IsSpace)
		if j < 0 {
			j = len(s)
		}
		// A backtick left here is stray and would pair with one of ours.
		word := strings.ReplaceAll(s[:j], "`", "ˋ")
		s = s[j:]
		quote := lineStart && strings.HasPrefix(word, ">")
		lineStart = false
		if !quote && !formats(word) {
			sb.WriteString(escape(word))
			continue
		}
		lead, core, tail := trimPunct(word)
		if core == "" || !quote && !formats(core) {
			lead, core, tail = "", word, ""
		}
		sb.WriteString(escape(lead) + "`" + escape(core) + "`" + escape(tail))
	}
	return sb.String()
}

// trimPunct splits sentence punctuation and unbalanced parentheses off a
// word ("(*args," -> "(", "*args", ","), so that they stay prose.
func trimPunct(word string) (lead, core, tail string) {
	core = word
	for {
		switch n := len(core); {
		case n > 0 && strings.ContainsRune(".,;:!?", rune(core[n-1])):
		case n > 0 && core[n-1] == ')' && strings.Count(core, ")") > strings.Count(core, "("):
		default:
			goto front
		}
		core = core[:len(core)-1]
	}
front:
	for len(core) > 0 && core[0] == '(' && strings.Count(core, "(") > strings.Count(core, ")") {
		core = core[1:]
	}
	lead = word[:strings.Index(word, core)]
	return lead, core, word[len(lead)+len(core):]
}

// formats reports whether a word has a *, _ or ~ that Slack could take
// as the edge of formatting: one at the word's edge or next to anything
// but a letter or digit.
func formats(word string) bool {
	rs := []rune(word)
	if len(rs) == 1 {
		return false // a lone * between spaces can neither open nor close
	}
	alnum := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	for i, r := range rs {
		if (r == '*' || r == '_' || r == '~') && (!alnum(i-1) || !alnum(i+1)) {
			return true
		}
	}
	return false
}

// dropInvisible removes control, format and bidi characters (U+202E
// reverses what follows; zero-width ones hide text), keeping newlines and
// tabs.
func dropInvisible(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return -1
		}
		return r
	}, s)
}

// oneLine is prose for a place that must stay one line (a name, a label).
func oneLine(s string) string {
	return prose(strings.Join(strings.Fields(s), " "))
}
