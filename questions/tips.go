package questions

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed tips/*.yaml
var embeddedTips embed.FS

// Tip is one line of advice about a concept (a tag), shown in a channel's
// weekly summary for the concepts it missed most. Like a question's claim,
// it is proven by running CPython: Check exits 0 iff the tip holds.
type Tip struct {
	Tag   string `yaml:"tag"`
	Tip   string `yaml:"tip"`
	Check string `yaml:"check"`
	// Python is the oldest CPython the tip holds for ("3.11" if empty).
	Python string `yaml:"python"`

	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// MaxTip bounds a tip: one line in a summary.
const MaxTip = 200

// LoadTips reads every *.yaml under tips/ in fsys and validates each tip.
func LoadTips(fsys fs.FS) (map[string]Tip, error) {
	names, err := fs.Glob(fsys, "tips/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	tips := map[string]Tip{}
	var errs []error
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
			continue
		}
		if len(root.Content) == 0 {
			continue
		}
		for _, item := range root.Content[0].Content {
			var t Tip
			if err := item.Decode(&t); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %w", n, item.Line, err))
				continue
			}
			t.File, t.Line = n, item.Line
			bad := func(field, msg string) {
				errs = append(errs, Problem{File: n, Line: item.Line, ID: "tip " + t.Tag, Field: field, Msg: msg})
			}
			switch {
			case !kebab.MatchString(t.Tag):
				bad("tag", "must be a kebab-case tag")
			case tips[t.Tag].Tag != "":
				bad("tag", "has a tip already")
			}
			if strings.TrimSpace(t.Tip) == "" || len([]rune(t.Tip)) > MaxTip || strings.Contains(t.Tip, "\n") {
				bad("tip", fmt.Sprintf("one line of at most %d characters", MaxTip))
			}
			if strings.TrimSpace(t.Check) == "" {
				bad("check", "required: a program that exits 0 iff the tip holds")
			}
			if t.Python == "" {
				t.Python = "3.11"
			}
			tips[t.Tag] = t
		}
	}
	return tips, errors.Join(errs...)
}

// EmbeddedTips loads the tips compiled into the binary.
func EmbeddedTips() (map[string]Tip, error) { return LoadTips(embeddedTips) }

// tipQuestions turns tips into concept questions so Verify runs their
// checks exactly like a question's.
func tipQuestions(tips map[string]Tip) []*Question {
	var out []*Question
	for _, t := range tips {
		out = append(out, &Question{ID: "tip-" + t.Tag, Kind: "concept", Python: t.Python, Check: t.Check,
			Options: []Option{{Text: t.Tip}}, Answer: "A", File: t.File, Line: t.Line})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// TipQuestions is tipQuestions for the questions CLI.
func TipQuestions(tips map[string]Tip) []*Question { return tipQuestions(tips) }
