package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
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
