package discord

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/bwmarrin/discordgo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readsAsWritten(t *testing.T, where, rendered, want string) {
	t.Helper()
	plain, marks := read(rendered)
	plain = strings.ReplaceAll(plain, "\u200b", "")
	// A bare URL shows itself (and links); masked links are the danger.
	marks = slices.DeleteFunc(marks, func(m string) bool { return strings.HasPrefix(m, "url:") })
	if len(marks) > 0 || plain != visible(want) {
		t.Errorf("%s: %q renders as %q with markup %v", where, want, rendered, marks)
	}
}

// Every text of the real bank reads on Discord exactly as written: no
// underline from __aexit__, no italics from a *, no list from "1.".
func TestRender_BankReadsAsWritten(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range bank.Questions {
		texts := []string{q.Prompt, q.Explanation, q.Category}
		for _, o := range q.Options {
			texts = append(texts, o.Why)
			if !verbatimKind(q) {
				texts = append(texts, o.Text)
			}
		}
		for _, s := range texts {
			readsAsWritten(t, q.ID, escapeMarkdown(s), s)
		}
		checkWholeEmbeds(t, q)
	}
}

func verbatimKind(q *questions.Question) bool { return q.Kind == "output" || q.Kind == "timing" }

// checkWholeEmbeds reads the round and reveal embeds of q as Discord
// shows them: the only markup is the renderer's own (bold letters, italic
// notes, code blocks, the deadline), and every text is there as written.
func checkWholeEmbeds(t *testing.T, q *questions.Question) {
	t.Helper()
	r := quiz.Round{ID: 42, ClosesAt: time.Unix(1.8e9, 0)}
	order := r.Order(q)
	round := Embed(bot.RoundMessage(r, q, 3))
	plain, marks := read(round.Description)
	want := expectedMarks(q, order, false)
	want = append(want, "angle:<t:1800000000:R>", "angle:<t:1800000000:t>")
	if !slices.Equal(marks, want) {
		t.Errorf("%s round: markup %v, want %v", q.ID, marks, want)
	}
	for _, s := range append([]string{q.Prompt, strings.TrimRight(q.Code, "\n")}, optionTexts(q)...) {
		if !strings.Contains(plain, s) {
			t.Errorf("%s round: %q is not shown as written in:\n%s", q.ID, s, plain)
		}
	}

	res := quiz.Result{Round: r, Question: q, Order: order, Counts: make([]int, len(q.Options)), Total: 2,
		CorrectUsers: []quiz.Answer{{UserName: "__dunder__"}, {UserName: "<@&1234567890> [x](https://evil.example) ||s||"}}}
	reveal := Embed(bot.RevealMessage(res))
	plain, marks = read(reveal.Description)
	if want := expectedMarks(q, order, true); !slices.Equal(marks, want) {
		t.Errorf("%s reveal: markup %v, want %v", q.ID, marks, want)
	}
	for _, o := range q.Options {
		if !strings.Contains(plain, o.Why) {
			t.Errorf("%s reveal: why %q is not shown as written", q.ID, o.Why)
		}
	}
	for _, f := range reveal.Fields {
		readsAsWritten(t, q.ID+" field", f.Value, fieldSource(q, res, f.Name))
	}
}

func optionTexts(q *questions.Question) []string {
	var out []string
	for _, o := range q.Options {
		out = append(out, strings.TrimRight(o.Text, "\n"))
	}
	return out
}

// expectedMarks is the renderer's own markup for q, in order: the code,
// then per choice its bold letter, its code block when it is program
// output, and after a reveal its italic note.
func expectedMarks(q *questions.Question, order questions.Order, revealed bool) []string {
	var out []string
	if q.Code != "" {
		out = append(out, "codeblock:py")
	}
	for range order {
		out = append(out, "format:**", "format:**")
		if verbatimKind(q) {
			out = append(out, "codeblock:")
		}
		if revealed {
			out = append(out, "format:*", "format:*")
		}
	}
	return out
}

// fieldSource is the text the bot put in a reveal's field.
func fieldSource(q *questions.Question, res quiz.Result, name string) string {
	plain, _ := read(name)
	if strings.HasPrefix(plain, "Answer: ") {
		return q.Explanation
	}
	msg := bot.RevealMessage(res)
	for _, s := range msg.Sections {
		if s.Heading == plain {
			return s.Text
		}
	}
	return ""
}

// What people put in their display names cannot reshape a public message.
func TestRender_HostileNamesAreInert(t *testing.T) {
	names := map[string]string{
		"role mention":  "<@&123456789012345678>",
		"user mention":  "<@123456789012345678> <@!123456789012345678>",
		"channel":       "<#123456789012345678>",
		"everyone":      "@everyone @here",
		"masked link":   "[free nitro](https://evil.example/login)",
		"spoiler":       "||hidden||",
		"heading":       "# BIG",
		"subtext":       "-# small",
		"quote":         "> quoted",
		"timestamp":     "<t:1700000000:R>",
		"emoji":         "<:pepe:123456789012345678>",
		"slash command": "</asyncquiz start:123456789012345678>",
		"bold italics":  "**b** *i* _u_ __under__ ~~s~~",
		"code":          "`x` ```py\nboom```",
		"escape":        `\*not\* \\`,
		"list":          "1. first",
	}
	for name, text := range names {
		t.Run(name, func(t *testing.T) {
			readsAsWritten(t, name, escapeMarkdown(text), text)
		})
	}
}

// Bidi overrides and newlines in a display name are removed before the name
// is stored; what is left is at most Discord's 32 characters.
func TestDisplayName_Neutralised(t *testing.T) {
	tests := map[string]string{
		"Ann\u202eeviL":         "AnneviL",
		"two\nlines\r\n# head":  "two lines # head",
		"\u2066iso\u2069\u200f": "iso",
		"tab\tnul\x00":          "tab nul",
		strings.Repeat("x", 40): strings.Repeat("x", 32),
	}
	for in, want := range tests {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q)=%q, want %q", in, got, want)
		}
	}
}

// Inline code marked with backticks in a message's text stays code.
func TestEscapeText_InlineCode(t *testing.T) {
	got := escapeText("Call `asyncio.run(main())` not __init__")
	plain, marks := read(got)
	if plain != "Call asyncio.run(main()) not __init__" || !slices.Equal(marks, []string{"code:asyncio.run(main())"}) {
		t.Fatalf("escapeText: %q reads %q %v", got, plain, marks)
	}
}

// A code fence inside code cannot close the block early.
func TestCodeFence_Closed(t *testing.T) {
	got := codeFence("py", "print('```')\n# not a heading", 1800)
	if _, marks := read(got); !slices.Equal(marks, []string{"codeblock:py"}) {
		t.Fatalf("code block %q reads %v", got, marks)
	}
}

// The hostile golden: the exact bytes sent for a reveal full of hostile
// names, pinned so a change to escaping is seen in review. go test
// -run Golden -update rewrites it.
func TestRender_HostileRevealGolden(t *testing.T) {
	q := &questions.Question{ID: "g1", Category: "core", Difficulty: 2, Kind: "concept", Answer: "A",
		Prompt:      "What does __aexit__ get when *args are passed? See [docs](https://x) ||now||",
		Explanation: "__aexit__ receives (exc_type, exc, tb).\n1. first\n# not a heading",
		Options: []questions.Option{
			{Text: "exc_type, exc, tb", Why: ""},
			{Text: "*args only", Why: "it is not *args*; **kwargs neither"},
			{Text: "nothing", Why: "__aexit__ always gets 3 arguments"},
		}}
	r := quiz.Round{ID: 7, ClosesAt: time.Unix(1.8e9, 0)}
	res := quiz.Result{Round: r, Question: q, Order: questions.Order{0, 1, 2}, Counts: []int{2, 1, 0}, Total: 3,
		CorrectUsers: []quiz.Answer{
			{UserName: displayName("<@&1> [free](https://evil) ||x||\n# big")},
			{UserName: displayName("\u202eevil <t:1:R> @everyone")},
		}}
	got := embedText(Embed(bot.RevealMessage(res)))
	path := filepath.Join("testdata", "golden", "hostile-reveal.txt")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("reveal differs from %s:\n%s", path, got)
	}
}

func embedText(e *discordgo.MessageEmbed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\n--- description\n%s\n", e.Title, e.Description)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "--- field %s\n%s\n", f.Name, f.Value)
	}
	if e.Footer != nil {
		fmt.Fprintf(&b, "--- footer\n%s\n", e.Footer.Text)
	}
	return b.String()
}
