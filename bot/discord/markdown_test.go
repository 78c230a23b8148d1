package discord

import (
	"fmt"
	"regexp"
	"strings"
)

// read is a reader of Discord markdown, written apart from the renderer
// after Discord's rules (simple-markdown: a backslash before ASCII
// punctuation shows it literally). It returns the text a person sees and
// the constructs that rendered; a text that reads as written has none.
func read(s string) (plain string, marks []string) {
	var b strings.Builder
	mark := func(kind, what string) { marks = append(marks, kind+":"+what) }
	lineStart := true
	for i := 0; i < len(s); {
		rest := s[i:]
		if lineStart {
			trimmed := strings.TrimLeft(rest, " \t")
			lead := len(rest) - len(trimmed)
			for _, block := range []string{"# ", "## ", "### ", "-# ", "> ", ">>> ", "- ", "* ", "+ "} {
				if strings.HasPrefix(trimmed, block) {
					mark("block", strings.TrimSpace(block))
				}
			}
			if m := orderedItem.FindString(trimmed); m != "" {
				mark("block", "list")
			}
			b.WriteString(rest[:lead])
			i += lead
			rest = s[i:]
			lineStart = false
			if rest == "" {
				break
			}
		}
		c := s[i]
		switch {
		case c == '\n':
			lineStart = true
			b.WriteByte(c)
			i++
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i += 2
		case strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://"):
			// A bare URL is a link, escapes and all: Discord reads it first.
			end := strings.IndexAny(rest, " \t\n<")
			if end < 0 {
				end = len(rest)
			}
			mark("url", rest[:end])
			b.WriteString(rest[:end])
			i += end
		case strings.HasPrefix(rest, "```"):
			end := strings.Index(rest[3:], "```")
			if end < 0 {
				mark("unclosed", "```")
				b.WriteString(rest)
				i = len(s)
				break
			}
			body := rest[3 : 3+end]
			lang, code, _ := strings.Cut(body, "\n")
			mark("codeblock", lang)
			b.WriteString(code)
			i += 3 + end + 3
		case c == '`':
			end := strings.IndexByte(rest[1:], '`')
			if end < 0 {
				b.WriteByte(c) // an unpaired backtick shows as itself
				i++
				break
			}
			mark("code", rest[1:1+end])
			b.WriteString(rest[1 : 1+end])
			i += end + 2
		case strings.HasPrefix(rest, "**"), strings.HasPrefix(rest, "__"), strings.HasPrefix(rest, "~~"), strings.HasPrefix(rest, "||"):
			mark("format", rest[:2])
			i += 2
		case c == '*' || c == '_':
			mark("format", string(c))
			i++
		case c == '<':
			if m := angle.FindString(rest); m != "" {
				mark("angle", m)
				i += len(m)
				break
			}
			b.WriteByte(c)
			i++
		case c == '[':
			if m := maskedLink.FindString(rest); m != "" {
				mark("link", m)
				i += len(m)
				break
			}
			b.WriteByte(c)
			i++
		case strings.HasPrefix(rest, "@everyone"), strings.HasPrefix(rest, "@here"):
			mark("mention", "everyone")
			b.WriteByte(c)
			i++
		default:
			r := []rune(rest)[0]
			if invisible(r) {
				mark("invisible", fmt.Sprintf("%U", r))
			}
			b.WriteRune(r)
			i += len(string(r))
		}
	}
	return b.String(), marks
}

var (
	orderedItem = regexp.MustCompile(`^[0-9]+[.)] `)
	angle       = regexp.MustCompile(`^<(@[!&]?[0-9]+|#[0-9]+|a?:\w+:[0-9]+|t:-?[0-9]+(:[tTdDfFR])?|/[^>]+:[0-9]+|https?://[^>\s]+|id:\w+)>`)
	maskedLink  = regexp.MustCompile(`^\[[^\]]*\]\([^)]*\)`)
)

func isASCIIPunct(c byte) bool {
	return c < 0x80 && (c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~')
}
