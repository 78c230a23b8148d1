package console

import "testing"

func TestCompleteWord(t *testing.T) {
	names := []string{"start", "stats", "stop", "help"}
	for word, want := range map[string]struct {
		done string
		ok   bool
	}{
		"s":     {"st", true},     // start, stats and stop agree on "st"
		"st":    {"st", false},    // nothing to add
		"sta":   {"sta", false},   // start and stats
		"star":  {"start ", true}, // one name: whole, then a space
		"STAT":  {"stats ", true},
		"start": {"start ", true},
		"x":     {"", false},
	} {
		done, ok := completeWord(word, names)
		if done != want.done || ok != want.ok {
			t.Errorf("completeWord(%q)=%q, %v; want %q, %v", word, done, ok, want.done, want.ok)
		}
	}
}
