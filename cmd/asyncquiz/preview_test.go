package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/questions"
)

// The README's pictures are drawn by `questions preview` from the adapters'
// own renderers; this keeps the committed files in step with the code.
// Regenerate with: ASYNCQUIZ_UPDATE_PICTURES=1 go test ./cmd/asyncquiz -run TestPreview
func TestPreview_ReadmePictures(t *testing.T) {
	const id = "core-gather-does-not-cancel-siblings"
	for _, p := range []string{"slack", "discord"} {
		for _, reveal := range []bool{false, true} {
			name := "round-" + p + ".svg"
			args := []string{"questions", "preview", id, "--platform", p}
			if reveal {
				name = "reveal-" + p + ".svg"
				args = append(args, "--reveal")
			}
			code, out, errs := runCmd(t, "", args...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", name, code, errs)
			}
			if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
				t.Fatalf("%s is not well-formed XML: %v", name, err)
			}
			bank, err := questions.LoadDefault()
			if err != nil {
				t.Fatal(err)
			}
			q, _ := bank.Get(id)
			if reveal && !strings.Contains(out, "Answer: "+q.Order(42).Shown(q.AnswerIndex())) {
				t.Fatalf("%s does not show the answer", name)
			}
			if !reveal && !strings.Contains(out, `class="buttontext">B</text>`) {
				t.Fatalf("%s has no buttons", name)
			}
			path := filepath.Join("..", "..", "docs", name)
			if os.Getenv("ASYNCQUIZ_UPDATE_PICTURES") != "" {
				os.WriteFile(path, []byte(out), 0o644)
			}
			committed, err := os.ReadFile(path)
			if err != nil || string(committed) != out {
				t.Fatalf("docs/%s is stale; regenerate with ASYNCQUIZ_UPDATE_PICTURES=1 go test ./cmd/asyncquiz -run TestPreview", name)
			}
		}
	}
}
