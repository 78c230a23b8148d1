package main

import (
	"strings"
	"testing"
)

// everyCommand lists every runnable command line from the command table,
// groups expanded to their subcommands: a new command is covered here
// without editing the test.
func everyCommand() [][]string {
	var out [][]string
	for _, c := range commands() {
		out = append(out, []string{c.name})
		for _, s := range c.subs {
			out = append(out, []string{c.name, s.name})
		}
	}
	return out
}

// -h and --help print the command's help to stdout and exit 0, on every
// command and subcommand; `help X` prints the same.
func TestRun_HelpOnEveryCommand(t *testing.T) {
	for _, cmd := range everyCommand() {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			var first string
			for _, h := range []string{"-h", "--help"} {
				code, out, errs := runCmd(t, "", append(append([]string{}, cmd...), h)...)
				if code != 0 || errs != "" {
					t.Fatalf("%s %s: exit %d, stderr %q; want 0 and nothing on stderr", name, h, code, errs)
				}
				if !strings.HasPrefix(out, "Usage: asyncquiz "+name+" ") {
					t.Fatalf("%s %s: stdout does not start with its usage:\n%s", name, h, out)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Fatalf("-h and --help differ:\n%s\n---\n%s", first, out)
				}
			}
			code, out, errs := runCmd(t, "", append([]string{"help"}, cmd...)...)
			if code != 0 || errs != "" || out != first {
				t.Fatalf("help %s: exit %d, stderr %q, stdout differs from %s -h:\n%s", name, code, errs, name, out)
			}
		})
	}
}

// Usage mistakes go to stderr with exit 2; the help itself goes to stdout
// with exit 0.
func TestRun_UsageMistakesExit2(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nonsense"},
		{"help", "nonsense"},
		{"serve", "--bogus"},
		{"play", "--bogus"},
		{"questions"},
		{"questions", "bogus"},
		{"questions", "--bogus"},
		{"questions", "show"},
		{"questions", "lint", "--bogus"},
		{"questions", "new", "--category", "nope"},
		{"slack"},
		{"slack", "manifest", "--bogus"},
		{"discord", "unregister"},
		{"export"},
		{"export", "--team", "T", "--kind", "both"},
		{"rounds", "--limit", "many"},
		{"version", "extra"},
		{"rounds", "close"},
		{"rounds", "close", "1", "2"},
		{"forget", "--team", "T"},
	} {
		code, out, errs := runCmd(t, "", args...)
		if code != 2 || out != "" || !strings.Contains(errs, "Usage:") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2, the mistake and the usage on stderr only", args, code, out, errs)
		}
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"help", "help"}, {"help", "-h"}} {
		code, out, errs := runCmd(t, "", args...)
		if code != 0 || errs != "" || !strings.Contains(out, "Commands:") {
			t.Errorf("%q: exit %d, stderr %q, stdout %q", args, code, errs, out)
		}
	}
}

// The top-level help names every command and subcommand with a summary.
func TestRun_TopLevelHelpListsEverything(t *testing.T) {
	_, out, _ := runCmd(t, "", "-h")
	for _, c := range commands() {
		lines := map[string]string{}
		if c.run != nil {
			lines[c.name] = c.summary
		}
		for _, s := range c.subs {
			lines[c.name+" "+s.name] = s.summary
		}
		for name, summary := range lines {
			if !strings.Contains(out, "\n  "+name+" ") || !strings.Contains(out, summary+"\n") {
				t.Errorf("top-level help lacks %q with its summary %q:\n%s", name, summary, out)
			}
		}
	}
	// preview is a separate program: named as one, never as a command.
	if !strings.Contains(out, "go run ./cmd/preview") || strings.Contains(out, "  preview ") {
		t.Errorf("top-level help should point to go run ./cmd/preview as a separate program:\n%s", out)
	}
	code, _, errs := runCmd(t, "", "preview", "x")
	if code != 2 || !strings.Contains(errs, "go run ./cmd/preview") {
		t.Errorf("asyncquiz preview: exit %d, stderr %q; want a pointer to the program", code, errs)
	}
}
