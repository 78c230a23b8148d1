package bot

import (
	"fmt"
	"strings"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// ParseText parses command text as Slack and the terminal send it: the
// subcommand, then positional words in any order ("start 2m advanced
// hard"), or name=value pairs with the Discord option names ("start
// duration=5s"). Every error is EInvalid and shows the right form.
func ParseText(text string) (Command, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return Command{Name: "help"}, nil
	}
	sub, ok := lookup(words[0])
	if !ok {
		return Command{}, unknownSubcommand(words[0])
	}
	opts := map[string]string{}
	for _, w := range words[1:] {
		name, val, named := strings.Cut(w, "=")
		if !named {
			name, val = sub.classify(w, opts), w
			if name == "" {
				return Command{}, usageError(sub, quiz.Errorf(quiz.EInvalid, "I don't understand %q.%s", Clip(w), sub.didYouMean(w)))
			}
		}
		name = strings.ToLower(name)
		if _, dup := opts[name]; dup {
			return Command{}, usageError(sub, quiz.Errorf(quiz.EInvalid, "%q is given twice.", Clip(name)))
		}
		opts[name] = val
	}
	return parse(sub, opts)
}

// ParseOptions validates a subcommand and its named options (Discord's
// option names, values as text). Unknown options and bad values return
// EInvalid errors whose message shows the right form.
func ParseOptions(name string, opts map[string]string) (Command, error) {
	sub, ok := lookup(name)
	if !ok {
		return Command{}, unknownSubcommand(name)
	}
	return parse(sub, opts)
}

func parse(sub *Subcommand, opts map[string]string) (Command, error) {
	c := Command{Name: sub.Name}
	if sub.defaults != nil {
		sub.defaults(&c)
	}
	given := map[string]bool{}
	for name := range opts {
		if sub.option(name) == nil {
			if len(sub.Options) == 0 {
				return Command{}, usageError(sub, quiz.Errorf(quiz.EInvalid, "%s takes no options.", sub.Name))
			}
			return Command{}, usageError(sub, quiz.Errorf(quiz.EInvalid, "Unknown option %q; %s takes %s.", Clip(name), sub.Name, strings.Join(sub.optionNames(), ", ")))
		}
	}
	// Apply in the table's order, so errors come in a stable order.
	for i := range sub.Options {
		o := &sub.Options[i]
		raw, ok := opts[o.Name]
		if !ok || (strings.TrimSpace(raw) == "" && o.Kind != KindFlag) {
			continue
		}
		v, err := o.parse(raw)
		if err == nil {
			err = o.apply(&c, v)
		}
		if err != nil {
			return Command{}, usageError(sub, err)
		}
		given[o.Name] = o.Kind != KindFlag || v.b
	}
	if sub.check != nil {
		if err := sub.check(&c, given); err != nil {
			return Command{}, usageError(sub, err)
		}
	}
	return c, nil
}

// classify names the option a positional word stands for: the first one,
// in the table's order, not yet given and whose form the word has (or one
// already given, so the caller reports it twice).
func (s *Subcommand) classify(w string, given map[string]string) string {
	again := ""
	for i := range s.Options {
		o := &s.Options[i]
		if !o.looksLike(w) {
			continue
		}
		if _, done := given[o.Name]; !done {
			return o.Name
		}
		if again == "" {
			again = o.Name
		}
	}
	return again
}

// didYouMean suggests the option a near-miss word was meant for, such as a
// bare number where a duration goes ("10" for 10m).
func (s *Subcommand) didYouMean(w string) string {
	for i := range s.Options {
		o := &s.Options[i]
		if o.Kind == KindDuration {
			if d := durationHint(w); d != "" {
				return fmt.Sprintf(" Did you mean %s?", d)
			}
		}
		if o.Kind == KindChoice {
			if best := closest(w, o.Choices()); best != "" {
				return fmt.Sprintf(" Did you mean %q?", best)
			}
		}
	}
	return ""
}

func (s *Subcommand) option(name string) *Option {
	for i := range s.Options {
		if strings.EqualFold(s.Options[i].Name, name) {
			return &s.Options[i]
		}
	}
	return nil
}

func (s *Subcommand) optionNames() []string {
	var out []string
	for _, o := range s.Options {
		out = append(out, o.Name)
	}
	return out
}

// usageError adds the subcommand's right form to an invalid-input error.
func usageError(sub *Subcommand, err error) error {
	if quiz.ErrorCode(err) != quiz.EInvalid {
		return err
	}
	return quiz.Errorf(quiz.EInvalid, "%s\nUsage: %s   e.g. %s", quiz.ErrorMessage(err), sub.Usage(), sub.Example)
}

// unknownSubcommand suggests the closest subcommand.
func unknownSubcommand(w string) error {
	hint := ""
	if best := closest(w, subcommandNames()); best != "" {
		hint = fmt.Sprintf(" Did you mean %q?", best)
	}
	return quiz.Errorf(quiz.EInvalid, "Unknown command %q.%s Commands: %s. Try /asyncquiz help.", Clip(w), hint, strings.Join(subcommandNames(), ", "))
}

// Clip keeps an echo of what a person typed short: at most 40 runes, then
// an ellipsis. Every message that quotes input goes through it (adapters
// too), so a pasted megabyte is not sent back.
func Clip(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// closest returns the word of list within edit distance 2 of w, or "".
func closest(w string, list []string) string {
	best, bestD := "", 3
	for _, s := range list {
		if d := editDistance(strings.ToLower(w), s); d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 {
		return len(a)
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
