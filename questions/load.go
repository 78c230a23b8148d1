package questions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Length limits keep every question inside one Slack or Discord message.
const (
	MaxPrompt      = 400
	MaxCode        = 1500
	MaxCodeLines   = 40
	MaxOptionText  = 200
	MaxWhy         = 300
	MaxExplanation = 700
	MaxIDLength    = 64
	MaxHangsAfter  = 5 // seconds; verify waits this long on each interpreter
)

var (
	kebab   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	version = regexp.MustCompile(`^3\.(\d+)$`)
)

// Problem is one thing wrong with a bank file, located for the author.
type Problem struct {
	File  string
	Line  int
	ID    string
	Field string
	Msg   string
}

func (p Problem) Error() string {
	id := p.ID
	if id == "" {
		id = "-"
	}
	return fmt.Sprintf("%s:%d: %s: %s: %s", p.File, p.Line, id, p.Field, p.Msg)
}

// Load reads every *.yaml at the root of fsys and in each extra folder, and
// validates every question. It reports all problems at once, one per line
// in the form file:line: question-id: field: what is wrong.
func Load(fsys fs.FS, extraDirs ...string) (*Bank, error) {
	var qs []*Question
	var probs []Problem
	read := func(fsys fs.FS, prefix string) {
		names, err := fs.Glob(fsys, "*.yaml")
		if err != nil {
			probs = append(probs, Problem{File: prefix, Field: "files", Msg: err.Error()})
			return
		}
		sort.Strings(names)
		for _, n := range names {
			data, err := fs.ReadFile(fsys, n)
			name := n
			if prefix != "" {
				name = path.Join(prefix, n)
			}
			if err != nil {
				probs = append(probs, Problem{File: name, Field: "file", Msg: err.Error()})
				continue
			}
			got, p := parseFile(name, data)
			qs = append(qs, got...)
			probs = append(probs, p...)
		}
	}
	read(fsys, "")
	for _, d := range extraDirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			probs = append(probs, Problem{File: d, Field: "ASYNCQUIZ_QUESTIONS", Msg: "not a folder"})
			continue
		}
		read(os.DirFS(d), filepath.ToSlash(d))
	}
	probs = append(probs, validateAll(qs)...)
	tips := map[string]Tip{}
	var tipErrs []error
	addTips := func(fsys fs.FS) {
		got, err := LoadTips(fsys)
		if err != nil {
			tipErrs = append(tipErrs, err)
		}
		for tag, t := range got {
			tips[tag] = t // a team's folder may override a tip
		}
	}
	addTips(fsys)
	for _, d := range extraDirs {
		addTips(os.DirFS(d))
	}
	if len(probs) > 0 || len(tipErrs) > 0 {
		errs := make([]error, 0, len(probs)+len(tipErrs))
		for _, p := range probs {
			errs = append(errs, p)
		}
		return nil, errors.Join(append(errs, tipErrs...)...)
	}
	b := NewBank(qs)
	b.Tips = tips
	return b, nil
}

// parseFile decodes one file strictly (unknown fields are typos) and keeps
// each question's line.
func parseFile(name string, data []byte) ([]*Question, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{{File: name, Line: yamlErrLine(err), Field: "yaml", Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, []Problem{{File: name, Line: list.Line, Field: "file", Msg: "must be a list of questions"}}
	}
	var qs []*Question
	var probs []Problem
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			probs = append(probs, Problem{File: name, Line: item.Line, Field: "question", Msg: "must be a mapping of fields"})
			continue
		}
		// Unknown fields are typos ("explaination"); report each at its line.
		for i := 0; i+1 < len(item.Content); i += 2 {
			if k := item.Content[i]; !knownFields[k.Value] {
				probs = append(probs, Problem{File: name, Line: k.Line, ID: idOf(item), Field: k.Value, Msg: "unknown field"})
			}
		}
		var q Question
		if err := item.Decode(&q); err != nil {
			probs = append(probs, Problem{File: name, Line: item.Line, ID: idOf(item), Field: "question",
				Msg: strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", "; ")})
			continue
		}
		q.File, q.Line = name, item.Line
		qs = append(qs, &q)
	}
	return qs, probs
}

// knownFields are the YAML keys of Question.
var knownFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(Question{})
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			m[tag] = true
		}
	}
	return m
}()

func idOf(n *yaml.Node) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

var lineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func validateAll(qs []*Question) []Problem {
	var probs []Problem
	seen := map[string]*Question{}
	for _, q := range qs {
		probs = append(probs, Validate(q)...)
		if prev, dup := seen[q.ID]; dup && q.ID != "" {
			probs = append(probs, Problem{q.File, q.Line, q.ID, "id", fmt.Sprintf("duplicate of %s:%d", prev.File, prev.Line)})
		}
		seen[q.ID] = q
	}
	return probs
}

// Validate checks one question against the format rules.
func Validate(q *Question) []Problem {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{q.File, q.Line, q.ID, field, fmt.Sprintf(format, args...)})
	}
	switch {
	case q.ID == "":
		bad("id", "missing")
	case !kebab.MatchString(q.ID):
		bad("id", "must be kebab-case (a-z, 0-9 and single dashes)")
	case len(q.ID) > MaxIDLength:
		bad("id", "longer than %d characters", MaxIDLength)
	}
	if !slices.Contains(Categories, q.Category) {
		bad("category", "%q is not one of %s", q.Category, strings.Join(Categories, ", "))
	}
	if q.Difficulty < 1 || q.Difficulty > 3 {
		bad("difficulty", "must be 1 (easy), 2 (medium) or 3 (hard), not %d", q.Difficulty)
	}
	if len(q.Tags) == 0 {
		bad("tags", "at least one tag is required")
	}
	for i, t := range q.Tags {
		if !kebab.MatchString(t) {
			bad(fmt.Sprintf("tags[%d]", i), "%q must be kebab-case", t)
		}
	}
	pyMin, ok := minor(q.Python)
	if !ok {
		bad("python", "must be \"3.N\" with N >= 11, not %q", q.Python)
	}
	if q.Until != "" {
		if until, ok := minor(q.Until); !ok {
			bad("until", "must be \"3.N\" with N >= 11, not %q", q.Until)
		} else if until < pyMin {
			bad("until", "%s is older than python %s", q.Until, q.Python)
		}
	}
	if !slices.Contains(Kinds, q.Kind) {
		bad("kind", "%q is not one of %s", q.Kind, strings.Join(Kinds, ", "))
	}
	if strings.TrimSpace(q.Prompt) == "" {
		bad("prompt", "missing")
	} else if n := len([]rune(q.Prompt)); n > MaxPrompt {
		bad("prompt", "%d characters, over the limit of %d", n, MaxPrompt)
	}
	needsCode := q.Kind == "output" || q.Kind == "error" || q.Kind == "timing"
	if needsCode && strings.TrimSpace(q.Code) == "" {
		bad("code", "required for kind %s", q.Kind)
	}
	if n := len([]rune(q.Code)); n > MaxCode {
		bad("code", "%d characters, over the limit of %d", n, MaxCode)
	}
	if n := strings.Count(strings.TrimRight(q.Code, "\n"), "\n") + 1; q.Code != "" && n > MaxCodeLines {
		bad("code", "%d lines, over the limit of %d", n, MaxCodeLines)
	}
	if q.Kind == "concept" && strings.TrimSpace(q.Check) == "" {
		bad("check", "required for kind concept: a program that exits 0 iff the answer holds")
	}
	if len(q.Options) < 2 || len(q.Options) > 5 {
		bad("options", "%d options; a question has 2 to 5", len(q.Options))
	}
	ans := q.AnswerIndex()
	if ans < 0 {
		bad("answer", "%q is not the letter of an option", q.Answer)
	}
	texts := map[string]int{}
	for i, o := range q.Options {
		field := fmt.Sprintf("options[%d]", i)
		t := strings.TrimSpace(o.Text)
		if t == "" {
			bad(field+".text", "missing")
		} else if n := len([]rune(o.Text)); n > MaxOptionText {
			bad(field+".text", "%d characters, over the limit of %d", n, MaxOptionText)
		}
		if j, dup := texts[t]; dup && t != "" {
			bad(field+".text", "same as option %s", Letter(j))
		}
		texts[t] = i
		if i != ans && ans >= 0 && strings.TrimSpace(o.Why) == "" {
			bad(field+".why", "missing on a wrong option")
		}
		if n := len([]rune(o.Why)); n > MaxWhy {
			bad(field+".why", "%d characters, over the limit of %d", n, MaxWhy)
		}
	}
	if ans >= 0 && ans < len(q.Options) && MetaOf(q.Options[ans].Text) == MetaHangs {
		if q.HangsAfter <= 0 || q.HangsAfter > MaxHangsAfter {
			bad("hangs_after", "the answer is %q: give the seconds after which the program must still be running (0 < hangs_after <= %g)", q.Options[ans].Text, float64(MaxHangsAfter))
		}
	} else if q.HangsAfter != 0 {
		bad("hangs_after", "only for questions whose answer is \"It hangs\" or \"It never finishes\"")
	}
	if ans >= 0 && ans < len(q.Options) && q.Kind == "concept" && MetaOf(q.Options[ans].Text) != MetaNone {
		bad("answer", "a concept question cannot key a meta option (%q); only code questions are run", q.Options[ans].Text)
	}
	if strings.TrimSpace(q.Explanation) == "" {
		bad("explanation", "missing")
	} else if n := len([]rune(q.Explanation)); n > MaxExplanation {
		bad("explanation", "%d characters, over the limit of %d", n, MaxExplanation)
	}
	return probs
}

func minor(v string) (int, bool) {
	m := version.FindStringSubmatch(v)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, n >= 11
}

// Lint finds problems beyond the format: questions with the same prompt and
// code, error options that name no exception, options that refer to each
// other by position, and (see Fair) a bank that can be gamed.
func Lint(b *Bank) []Problem {
	var probs []Problem
	seen := map[string]*Question{}
	for _, q := range b.Questions {
		key := strings.Join(strings.Fields(strings.ToLower(q.Prompt)), " ") + "\x00" + Normalize(q.Code)
		if prev, dup := seen[key]; dup {
			probs = append(probs, Problem{q.File, q.Line, q.ID, "prompt", fmt.Sprintf("same prompt and code as %s (%s:%d)", prev.ID, prev.File, prev.Line)})
		}
		seen[key] = q
		if ref := q.PositionalReference(); ref != "" && q.Shuffles() {
			probs = append(probs, Problem{q.File, q.Line, q.ID, "options", fmt.Sprintf("%q refers to another option by position, which shuffling breaks; reword it (or set shuffle: false if it cannot be)", ref)})
		} else if ref == "" && !q.Shuffles() {
			probs = append(probs, Problem{q.File, q.Line, q.ID, "shuffle", "shuffle: false is only for options that refer to each other by position"})
		}
		if q.Kind == "error" {
			for i, o := range q.Options {
				if ExceptionName(o.Text) == "" && MetaOf(o.Text) != MetaHangs {
					probs = append(probs, Problem{q.File, q.Line, q.ID, fmt.Sprintf("options[%d].text", i), "an error option must start with an exception class name, \"No exception\" or \"It hangs\""})
				}
			}
		}
	}
	if lintTips && len(b.Tips) > 0 {
		// Every concept a question teaches has a tip for the weekly summary.
		missing := map[string]*Question{}
		for _, q := range b.Questions {
			for _, tag := range q.Tags {
				if _, ok := b.Tips[tag]; !ok && missing[tag] == nil {
					missing[tag] = q
				}
			}
		}
		for _, tag := range sortedKeysQ(missing) {
			q := missing[tag]
			probs = append(probs, Problem{q.File, q.Line, q.ID, "tags", fmt.Sprintf("tag %q has no tip in tips/*.yaml", tag)})
		}
	}
	for _, msg := range Fair(b).Problems() {
		probs = append(probs, Problem{File: "bank", Field: "fairness", Msg: msg})
	}
	return probs
}

// lintTips requires a tip for every tag; on once the tips are written.
const lintTips = true

func sortedKeysQ(m map[string]*Question) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
