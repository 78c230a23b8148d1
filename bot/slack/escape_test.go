package slack

import (
	"strings"
	"testing"
	"unicode"
)

func TestProse(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":                      "plain words",
		"set_result and 2*3 stay":          "set_result and 2*3 stay",
		"__aexit__ runs":                   "`__aexit__` runs",
		"call `__aexit__` then *args.":     "call `__aexit__` then `*args`.",
		"*bold* _it_ ~strike~":             "`*bold*` `_it_` `~strike~`",
		"a <!channel> & <@U1|x>":           "a &lt;!channel&gt; &amp; &lt;@U1|x&gt;",
		"<https://evil.example|click me>":  "&lt;https://evil.example|click me&gt;",
		"x = `a < b` ok":                   "x = `a &lt; b` ok",
		"> quoted\nnot > quoted":           "`&gt;` quoted\nnot &gt; quoted",
		"a stray ` backtick":               "a stray ˋ backtick",
		"evil\u202Eoverride":               "eviloverride",
		"line one\nline two":               "line one\nline two",
		"private _get_running_loop() does": "private `_get_running_loop()` does",
		"empty `` pair":                    "empty ˋˋ pair",
	} {
		if got := prose(in); got != want {
			t.Errorf("prose(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// readMrkdwn models how Slack shows mrkdwn: code spans and blocks show
// their content unformatted; entities are decoded; outside code, a *, _
// or ~ that can open or close formatting by Slack's rule (an opener after
// the start, a space or punctuation and before a non-space; a closer after
// a non-space and before the end, a space or punctuation), a raw < (a
// link or mention) or a line starting with > (a quote) changes what is
// shown. It returns the text as shown and what would be reshaped.
func readMrkdwn(s string) (shown string, reshaped []string) {
	dec := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	var sb strings.Builder
	boundary := func(r rune, ok bool) bool { return !ok || !(unicode.IsLetter(r) || unicode.IsDigit(r)) }
	space := func(r rune, ok bool) bool { return !ok || unicode.IsSpace(r) }
	for line := range strings.SplitSeq(s, "\n") {
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		if strings.HasPrefix(line, "&gt;") || strings.HasPrefix(line, ">") {
			reshaped = append(reshaped, "quote: "+line)
		}
		parts := strings.Split(line, "`")
		if len(parts)%2 == 0 {
			reshaped = append(reshaped, "unpaired backtick: "+line)
		}
		for i, part := range parts {
			if i%2 == 1 {
				sb.WriteString(dec.Replace(strings.ReplaceAll(part, "\u200b", "")))
				continue
			}
			rs := []rune(part)
			at := func(j int) (rune, bool) {
				if j < 0 || j >= len(rs) {
					return 0, false
				}
				return rs[j], true
			}
			for j, r := range rs {
				if r == '<' {
					reshaped = append(reshaped, "control: "+part)
				}
				if r != '*' && r != '_' && r != '~' {
					continue
				}
				p, pok := at(j - 1)
				n, nok := at(j + 1)
				if boundary(p, pok) && !space(n, nok) || !space(p, pok) && boundary(n, nok) {
					reshaped = append(reshaped, "format: "+part)
				}
			}
			sb.WriteString(dec.Replace(part))
		}
	}
	return sb.String(), reshaped
}

// The model itself can fail: raw mrkdwn is reshaped.
func TestReadMrkdwn_SeesFormatting(t *testing.T) {
	for _, s := range []string{"*bold*", "__aexit__", "<!channel>", "> quote", "a ` b", "x _y_ z"} {
		if _, r := readMrkdwn(s); len(r) == 0 {
			t.Errorf("readMrkdwn(%q) sees nothing", s)
		}
	}
	if shown, r := readMrkdwn("`*a*` &lt;b&gt;"); len(r) != 0 || shown != "*a* <b>" {
		t.Errorf("shown %q, reshaped %v", shown, r)
	}
}

// Names in public messages (the reveal's "First: ...") read as written:
// formatting, mentions, links, newlines and bidi controls are neutralised.
func TestProse_HostileNames(t *testing.T) {
	for _, name := range []string{
		"*bold*", "`tick`", "_x_", "~gone~", "<!channel>", "<!here|here>", "<@U123>", "<#C1|general>",
		"<https://evil.example|Claim prize>", "line\nbreak", "\u202Eevil", "&amp;", "> quoted", "::emoji::",
		"a*b*c", "@channel", "***", "_", "__init__",
	} {
		clean := cleanName(name, "U1")
		got := prose("First: " + clean + ", bo.")
		shown, reshaped := readMrkdwn(got)
		if len(reshaped) != 0 {
			t.Errorf("name %q renders as %q, reshaped: %v", name, got, reshaped)
		}
		if want := "First: " + clean + ", bo."; shown != want {
			t.Errorf("name %q shows %q, want %q", name, shown, want)
		}
		if strings.ContainsAny(shown, "\n\u202E") {
			t.Errorf("name %q keeps a newline or bidi control: %q", name, shown)
		}
	}
}

func TestProse_LoneMarkerStaysProse(t *testing.T) {
	if got := prose("2 * 3 _ x"); got != "2 * 3 _ x" {
		t.Fatalf("got %q", got)
	}
	if _, r := readMrkdwn("2 * 3 _ x"); len(r) != 0 {
		t.Fatalf("the model sees formatting in lone markers: %v", r)
	}
}
