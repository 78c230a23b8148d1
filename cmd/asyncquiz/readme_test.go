package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/bot"
)

// The README is the manual: it documents every subcommand, CLI command and
// setting, and links only to files in the repository.
func TestReadme_Complete(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, s := range bot.Grammar() {
		if !strings.Contains(readme, "| `"+s.Name) {
			t.Errorf("README's command table lacks /asyncquiz %s", s.Name)
		}
	}
	for _, c := range commands() {
		if !strings.Contains(readme, "asyncquiz "+c.name) {
			t.Errorf("README never shows asyncquiz %s", c.name)
		}
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	slackSrc, _ := os.ReadFile("slack.go")
	vars := regexp.MustCompile(`"((?:ASYNCQUIZ|SLACK|DISCORD)_[A-Z_]+)"`).FindAllStringSubmatch(string(src)+string(slackSrc), -1)
	if len(vars) < 10 {
		t.Fatalf("found only %d variables in config.go", len(vars))
	}
	for _, v := range vars {
		if !strings.Contains(readme, v[1]) {
			t.Errorf("README does not document %s", v[1])
		}
	}
	// Every test the README cites as proof exists.
	var tests strings.Builder
	filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, "_test.go") {
			b, _ := os.ReadFile(path)
			tests.Write(b)
		}
		return nil
	})
	for _, m := range regexp.MustCompile("`(Test[A-Za-z0-9_]+)`").FindAllStringSubmatch(readme, -1) {
		if !strings.Contains(tests.String(), "func "+m[1]+"(") {
			t.Errorf("README cites %s, which does not exist", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`).FindAllStringSubmatch(readme, -1) {
		link := m[1]
		if strings.Contains(link, "://") || strings.HasPrefix(link, "..") || strings.HasPrefix(link, "/") {
			t.Errorf("README links outside the repository: %s", link)
			continue
		}
		if _, err := os.Stat(filepath.Join("../..", link)); err != nil {
			t.Errorf("README links to a missing file: %s", link)
		}
	}
}
