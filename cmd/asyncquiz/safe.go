package main

import (
	"fmt"
	"strings"
	"unicode"
)

// cell neutralises a CSV cell that a spreadsheet would run as a formula
// (OWASP's rule: a leading =, +, -, @, tab or carriage return gets a
// leading apostrophe), and drops control characters.
func cell(s string) string {
	s = terminalSafe(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// terminalSafe replaces control and format characters (ESC sequences,
// bidi overrides) with a visible escape, so data printed by the CLI cannot
// move the cursor, recolour or rewrite the terminal.
func terminalSafe(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }
