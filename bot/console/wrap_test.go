package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
)

var longWords = "Setting an Event only flips a flag and wakes tasks blocked in wait(), so the worker notices it when its sleep ends"

func wrapMessage() bot.Message {
	return bot.Message{
		Title: "Drill 1/3 · basics · easy",
		Text:  longWords + ".\n• a bullet that is long enough to need a second line of its own here",
		Code:  "async def main():\n    result = await asyncio.wait_for(some_very_long_coroutine_name(argument_one, argument_two), timeout=10)\n",
		Choices: []bot.Choice{
			{Letter: "A", Text: "It prints 0.2 because the worker checks the flag only after each batch has finished"},
			{Letter: "B", Text: "[b'alpha\\n', b'beta', b'', b'gamma', b'delta', b'epsilon', b'zeta', b'eta']", Verbatim: true},
			{Letter: "C", Text: "x", Mark: bot.MarkWrong, Note: "because " + longWords},
		},
		Sections: []bot.Section{{Heading: "✅ A is right.", Text: "https://docs.python.org/3/library/asyncio-task.html#asyncio.wait_for_a_very_long_anchor_indeed is a word too long"}},
	}
}

// Prose wraps at spaces to the width, options under their text; code and
// program output stay whole, and no word is cut.
func TestRenderWidth_Wraps(t *testing.T) {
	const width = 40
	got := console.RenderWidth(wrapMessage(), time.UTC, time.Now(), width)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	code := "        result = await asyncio.wait_for(some_very_long_coroutine_name(argument_one, argument_two), timeout=10)"
	output := "    B) [b'alpha\\n', b'beta', b'', b'gamma', b'delta', b'epsilon', b'zeta', b'eta']"
	for _, whole := range []string{code, output} {
		if !strings.Contains(got, "\n"+whole+"\n") {
			t.Fatalf("line %q was not kept whole:\n%s", whole, got)
		}
	}
	for _, l := range lines {
		if l == code || l == output || !strings.Contains(l, " ") && !strings.HasPrefix(l, " ") {
			continue
		}
		if n := utf8.RuneCountInString(l); n > width && !strings.Contains(l, "https://") {
			t.Errorf("line of %d columns, over %d: %q", n, width, l)
		}
	}
	for _, want := range []string{
		"    A) It prints 0.2 because the worker\n       checks the flag only after each\n       batch has finished\n",
		"• a bullet that is long enough to need a\n  second line of its own here\n",
		"  ✘ C) x\n       because Setting an Event only\n       flips a flag and wakes tasks\n",
		"\nhttps://docs.python.org/3/library/asyncio-task.html#asyncio.wait_for_a_very_long_anchor_indeed\nis a word too long\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// No word is cut: the prose reads the same with its line breaks undone.
	if flat := strings.Join(strings.Fields(got), " "); !strings.Contains(flat, longWords) {
		t.Errorf("the text's words changed:\n%s", got)
	}
	// Width 0 wraps nothing.
	if flat := console.Render(wrapMessage(), time.UTC, time.Now()); !strings.Contains(flat, longWords) {
		t.Errorf("Render wrapped:\n%s", flat)
	}
}

// Emoji take two columns, so a line with one wraps a column earlier.
func TestRenderWidth_WideCharacters(t *testing.T) {
	got := console.RenderWidth(bot.Message{Text: "✅ abc def"}, time.UTC, time.Now(), 10)
	if want := "✅ abc def\n"; got != want { // 2+1+3+1+3 = 10 columns
		t.Fatalf("got %q, want %q", got, want)
	}
	got = console.RenderWidth(bot.Message{Text: "✅ abc defg"}, time.UTC, time.Now(), 10)
	if want := "✅ abc\ndefg\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// The adapter wraps what it prints to the width it is given.
func TestConsole_WrapsToWidth(t *testing.T) {
	var out bytes.Buffer
	con := console.New(strings.NewReader(""), &out, time.UTC, console.WithWidth(func() int { return 30 }))
	con.Post(context.Background(), "c", bot.Message{Text: longWords})
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if len(l) > 30 {
			t.Fatalf("line %q is over 30 columns:\n%s", l, out.String())
		}
	}
}
