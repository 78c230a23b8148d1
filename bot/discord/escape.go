package discord

import (
	"strings"
	"unicode"
)

// Discord renders markdown in embed titles, descriptions and field names
// and values (not in footers). Text from the bank and from people must read
// exactly as written there: `__aexit__` must not underline, a `*` inside an
// italic note must not end it, and a display name must not become a
// mention pill, a masked link, a spoiler, a heading or a timestamp.

// markdownSpecial are the characters escaped wherever they appear: emphasis
// (* _), strikethrough (~), code (`), spoilers (|), mentions, channels,
// emoji and timestamps (<), masked links ([ ]), and the escape itself.
const markdownSpecial = "\\*_~`|<[]"

// lineStartSpecial start a block only at the start of a line: headings and
// subtext (# -#), quotes (>), lists (- +).
const lineStartSpecial = "#>-+"

// escapeMarkdown returns s with every markdown construct neutralised by a
// backslash, so Discord shows it as written; @everyone and @here get a zero
// width space (allowed_mentions already stops the ping; this stops the
// highlight). Invisible controls are dropped (see visible).
func escapeMarkdown(s string) string {
	s = visible(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			lineStart = true
			b.WriteByte(c)
			continue
		case hasURLAt(s, i):
			// Discord links a bare URL before it reads escapes, so a
			// backslash inside one would break the link: copy it as is.
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '<' {
				j++
			}
			b.WriteString(s[i:j])
			i = j - 1
			lineStart = false
			continue
		case lineStart && (c == ' ' || c == '\t'):
			b.WriteByte(c)
			continue
		case lineStart && strings.IndexByte(lineStartSpecial, c) >= 0:
			b.WriteByte('\\')
		case lineStart && c >= '0' && c <= '9':
			// "1. text" at the start of a line is an ordered list, which
			// renumbers ranks ("1. 1. 3." shows as 1, 2, 3).
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b.WriteString(s[i:j])
			if j < len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteByte('\\')
			}
			i = j - 1
			lineStart = false
			continue
		case strings.IndexByte(markdownSpecial, c) >= 0:
			b.WriteByte('\\')
		}
		lineStart = false
		b.WriteByte(c)
	}
	return neutraliseEveryone(b.String())
}

func hasURLAt(s string, i int) bool {
	return strings.HasPrefix(s[i:], "https://") || strings.HasPrefix(s[i:], "http://")
}

func neutraliseEveryone(s string) string {
	return strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s)
}

// escapeText renders a Message's Text: `backticks` mark inline code, shown
// as Discord inline code (where nothing renders); the rest is escaped.
func escapeText(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick: no code at all
		return escapeMarkdown(s)
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i%2 == 0:
			b.WriteString(escapeMarkdown(p))
		case p == "":
			b.WriteString(escapeMarkdown("``"))
		default:
			b.WriteString("`" + visible(strings.ReplaceAll(p, "\n", " ")) + "`")
		}
	}
	return b.String()
}

// visible drops what can reshape a message without showing itself: C0 and
// C1 controls other than newline and tab, and the bidirectional overrides,
// embeddings, isolates and marks that reverse the text around them. None
// of them belongs in a question; in a display name they are an attack.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if invisible(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
}

func invisible(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// truncateEscaped cuts escaped markdown to n runes without leaving a lone
// backslash in front of the ellipsis (which Discord would show).
func truncateEscaped(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := r[:n-1]
	slashes := 0
	for i := len(cut) - 1; i >= 0 && cut[i] == '\\'; i-- {
		slashes++
	}
	if slashes%2 == 1 {
		cut = cut[:len(cut)-1]
	}
	return string(cut) + "…"
}

// codeFence puts code in a fenced block. A ``` inside would end the block
// early, so its backticks are split by a zero width space (the only change
// to the code, and an invisible one).
func codeFence(lang, code string, limit int) string {
	code = strings.ReplaceAll(visible(strings.TrimRight(code, "\n")), "```", "``\u200b`")
	return "```" + lang + "\n" + truncate(code, limit-len(lang)-8) + "\n```"
}

// displayName neutralises a person's name before the bot stores it: one
// line, no invisible controls, at most maxName runes. Markdown is escaped
// when a message is rendered, like every other text.
func displayName(s string) string {
	s = strings.Join(strings.FieldsFunc(visible(s), func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxName {
		s = string(r[:maxName])
	}
	return s
}

// maxName is Discord's own limit for a global display name or nickname.
const maxName = 32
