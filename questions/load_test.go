package questions_test

import (
	"os"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/questions"
)

func TestLoad_Embedded(t *testing.T) {
	b, err := questions.LoadDefault()
	if err != nil {
		t.Fatalf("the embedded bank is invalid:\n%v", err)
	}
	if len(b.Questions) < 20 {
		t.Fatalf("embedded bank has %d questions, want at least 20", len(b.Questions))
	}
	if lint := questions.Lint(b); len(lint) > 0 {
		t.Fatalf("lint findings: %v", lint)
	}
	// Our own bank keeps guessing odds at 1 in 3 or worse, and lets a
	// scripted session answer A, B or C to any question.
	for _, q := range b.Questions {
		if len(q.Options) < 3 {
			t.Errorf("%s has %d options; the embedded bank uses 3 to 5", q.ID, len(q.Options))
		}
	}
}

func TestLoad_Good(t *testing.T) {
	b, err := questions.Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatal(err)
	}
	q, ok := b.Get("fixture-gather-order")
	if !ok {
		t.Fatalf("fixture-gather-order not loaded")
	}
	if q.File != "core.yaml" || q.Line != 1 || q.AnswerIndex() != 1 {
		t.Fatalf("got file %s line %d answer %d, want core.yaml:1 answer 1", q.File, q.Line, q.AnswerIndex())
	}
}

// Every problem of a bad bank is reported at once, each with its place.
func TestLoad_Bad(t *testing.T) {
	_, err := questions.Load(os.DirFS("testdata/bad"))
	if err == nil {
		t.Fatal("bad bank loaded without error")
	}
	msg := err.Error()
	for _, want := range []string{
		"basics.yaml:1: Bad_ID: id: must be kebab-case",
		"basics.yaml:1: Bad_ID: options[1].why: missing on a wrong option",
		`basics.yaml:15: unknown-category: category: "expert" is not one of`,
		"basics.yaml:15: unknown-category: difficulty: must be 1 (easy), 2 (medium) or 3 (hard), not 4",
		"basics.yaml:15: unknown-category: tags: at least one tag is required",
		`basics.yaml:15: unknown-category: python: must be "3.N" with N >= 11, not "3.9"`,
		`basics.yaml:15: unknown-category: kind: "puzzle" is not one of`,
		"basics.yaml:15: unknown-category: prompt: missing",
		"basics.yaml:15: unknown-category: options: 1 options; a question has 2 to 5",
		`basics.yaml:15: unknown-category: answer: "C" is not the letter of an option`,
		"basics.yaml:15: unknown-category: explanation: missing",
		"basics.yaml:26: missing-code-and-check: code: required for kind output",
		"basics.yaml:26: missing-code-and-check: options[1].text: same as option A",
		"basics.yaml:53: concept-without-check: colour: unknown field",
		"basics.yaml:39: concept-without-check: check: required for kind concept",
		`basics.yaml:39: concept-without-check: until: must be "3.N" with N >= 11, not "3.10"`,
		"basics.yaml:54: unknown-category: id: duplicate of basics.yaml:15",
		"syntax.yaml:",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("all problems:\n%s", msg)
	}
	for _, line := range strings.Split(msg, "\n") {
		if strings.Count(line, ": ") < 3 {
			t.Errorf("problem line %q is not file:line: id: field: message", line)
		}
	}
}

func TestLint_NearDuplicates(t *testing.T) {
	b, err := questions.Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatal(err)
	}
	if got := questions.Lint(b); len(got) != 0 {
		t.Fatalf("clean bank has findings %v", got)
	}
	dup := *b.Questions[0]
	dup.ID = "fixture-copy"
	dup.Prompt = "  What does   THIS print? "
	b2 := questions.NewBank(append(b.Questions, &dup))
	got := questions.Lint(b2)
	if len(got) != 1 || !strings.Contains(got[0].Error(), "same prompt and code as fixture-gather-order") {
		t.Fatalf("Lint=%v, want one near-duplicate finding", got)
	}
}

func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/good/core.yaml", "testdata/bad/basics.yaml", "testdata/bad/syntax.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := mapFS{"x.yaml": data}
		b, err := questions.Load(fsys)
		if err == nil && b == nil {
			t.Fatal("nil bank without error")
		}
	})
}
