package main

import "testing"

func TestCell_NeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil","x")`: `'=HYPERLINK("http://evil","x")`,
		"+1+1":                          "'+1+1",
		"-2":                            "'-2",
		"@SUM(A1)":                      "'@SUM(A1)",
		"ada":                           "ada",
		"a\x1b[31mred":                  `a\u001b[31mred`,
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q)=%q, want %q", in, got, want)
		}
	}
	if got := terminalSafe("C1\u202eevil"); got != `C1\u202eevil` {
		t.Errorf("bidi override kept: %q", got)
	}
}
