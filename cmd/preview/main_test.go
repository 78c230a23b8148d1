package main

import (
	"encoding/xml"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/questions"
)

// The README's pictures are drawn from the adapters' own renderers; this
// keeps the committed files in step with the code. Regenerate with
// go generate ./cmd/preview.
func TestPreview_ReadmePictures(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	q, ok := bank.Get(readmeQuestion)
	if !ok {
		t.Fatalf("the README question %s is not in the bank", readmeQuestion)
	}
	for name, svg := range pictures(bank) {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		if strings.HasPrefix(name, "reveal") && !strings.Contains(svg, "Answer: "+q.Order(42).Shown(q.AnswerIndex())) {
			t.Fatalf("%s does not show the answer by its shown letter", name)
		}
		if strings.HasPrefix(name, "round") && !strings.Contains(svg, `class="buttontext">B</text>`) {
			t.Fatalf("%s has no buttons", name)
		}
		committed, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil || string(committed) != svg {
			t.Fatalf("docs/%s is stale; regenerate with go generate ./cmd/preview", name)
		}
	}
}

func TestPreview_OneQuestion(t *testing.T) {
	var out, errs strings.Builder
	if err := run([]string{"-platform", "discord", "-reveal", readmeQuestion}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "<svg") {
		t.Fatalf("not an SVG: %.80s", out.String())
	}
	if err := run([]string{"no-such-question"}, &out, &errs); err == nil {
		t.Fatal("an unknown id was accepted")
	}
}

// Underscores in names survive both renderers' markup (Discord escapes
// them, Slack leaves them), and emphasis marks do not show.
func TestPreview_KeepsUnderscores(t *testing.T) {
	for _, c := range []struct{ in, slack, discord string }{
		{"call __aexit__ or run_until_complete", "call __aexit__ or run_until_complete", "call __aexit__ or run_until_complete"},
	} {
		if got := slackPlain("*A.* " + c.in + "\n_a note_"); got != "A. "+c.slack+"\na note" {
			t.Errorf("slackPlain = %q", got)
		}
		escaped := strings.NewReplacer("_", `\_`).Replace(c.in)
		if got := discordPlain("**A.** " + escaped + "\n*a note*"); got != "A. "+c.discord+"\na note" {
			t.Errorf("discordPlain = %q", got)
		}
	}
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	var q *questions.Question
	for _, cand := range bank.Questions {
		if strings.Contains(cand.Prompt, "_") {
			q = cand
			break
		}
	}
	if q == nil {
		t.Skip("no question with an underscore in its prompt")
	}
	word := ""
	for _, w := range strings.Fields(q.Prompt) {
		if strings.Contains(w, "_") {
			word = strings.Trim(w, "`.,;:?!()")
			break
		}
	}
	for _, p := range []string{"slack", "discord"} {
		if svg := draw(q, p, false); !strings.Contains(svg, word) {
			t.Errorf("%s picture of %s lacks %q", p, q.ID, word)
		}
	}
}

// A code line wider than the picture is folded, never cut.
func TestPreview_FoldsLongCodeLines(t *testing.T) {
	line := "result = await asyncio.wait_for(some_coroutine_with_a_long_name(argument_one, argument_two, argument_three), timeout=10)"
	d := &svgDoc{width: 760}
	d.code(line, 40)
	texts := regexp.MustCompile(`xml:space="preserve">([^<]*)</text>`).FindAllStringSubmatch(d.sb.String(), -1)
	if len(texts) < 2 {
		t.Fatalf("a %d-character line was not folded: %v", len(line), texts)
	}
	var joined strings.Builder
	for i, m := range texts {
		part := html.UnescapeString(m[1])
		if n := len([]rune(part)); n > (760-40-20)*10/78 {
			t.Fatalf("folded part %d is %d characters", i, n)
		}
		if i > 0 {
			part = strings.TrimPrefix(part, "  ")
		}
		joined.WriteString(strings.TrimSuffix(part, "↩"))
	}
	if joined.String() != line {
		t.Fatalf("folded lines join to\n%q\nwant\n%q", joined.String(), line)
	}
}
