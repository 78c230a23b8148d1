package questions_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/questions"
)

func python(t *testing.T) []questions.Python {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	ps, _, err := questions.FindPythons(context.Background(), "python3")
	if err != nil {
		t.Skipf("python3 unusable: %v", err)
	}
	return ps
}

func load(t *testing.T, dir string) *questions.Bank {
	t.Helper()
	b, err := questions.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerify_GoodFixtures(t *testing.T) {
	ps := python(t)
	b := load(t, "testdata/good")
	rep := questions.Verify(context.Background(), b.Questions, ps, questions.VerifyOptions{})
	for _, o := range rep.Outcomes {
		if len(o.Failures) > 0 {
			t.Errorf("%s failed: %v", o.Question.ID, o.Failures)
		}
		if got, want := o.Skipped, o.Question.ID == "fixture-future-python"; got != want {
			t.Errorf("%s Skipped=%v, want %v", o.Question.ID, got, want)
		}
	}
	if got, want := rep.Summary(), "9 verified, 0 failed, 1 skipped"; got != want {
		t.Fatalf("Summary=%q, want %q", got, want)
	}
}

// A deliberately broken question of each kind is caught, and the failure
// says which question, what was expected and what CPython did.
func TestVerify_CatchesBrokenAnswers(t *testing.T) {
	ps := python(t)
	b := load(t, "testdata/broken")
	rep := questions.Verify(context.Background(), b.Questions, ps, questions.VerifyOptions{})
	want := map[string][]string{
		"broken-answer-points-wrong": {`printed "[1, 2]", which is wrong option A`},
		"broken-wrong-exception":     {"expected ValueError (option A), CPython raised KeyError"},
		"broken-timing":              {`printed "0.1", which is wrong option B (answer A expects "0.5")`},
		"broken-concept":             {"check exited 1", "AssertionError"},
		// Meta answers are proven by what the program does, not its output.
		"broken-meta-raises-other":            {"raised KeyError, which is wrong option B"},
		"broken-meta-raises-but-exits":        {"expected it to raise RuntimeError (option A), but it exited 0"},
		"broken-meta-hangs-but-finishes":      {"expected it to hang (option A), but it exited 0 within 1s"},
		"broken-meta-nothing-but-prints":      {`expected "" (option A), CPython printed "done"`},
		"broken-meta-no-exception-but-raises": {"expected no exception (option A), CPython raised OSError"},
	}
	for _, o := range rep.Outcomes {
		if len(o.Failures) == 0 {
			t.Errorf("%s passed verification, want a failure", o.Question.ID)
			continue
		}
		for _, w := range want[o.Question.ID] {
			if !strings.Contains(o.Failures[0], w) || !strings.HasPrefix(o.Failures[0], o.Question.ID) {
				t.Errorf("%s failure %q lacks %q or the id", o.Question.ID, o.Failures[0], w)
			}
		}
	}
	if got, want := rep.Summary(), "0 verified, 9 failed, 0 skipped"; got != want {
		t.Fatalf("Summary=%q, want %q", got, want)
	}
}

func TestExceptionName(t *testing.T) {
	tests := map[string]string{
		"ValueError":                    "ValueError",
		"`TimeoutError` after 1 s":      "TimeoutError",
		"asyncio.CancelledError":        "CancelledError",
		"ExceptionGroup (one KeyError)": "ExceptionGroup",
		"No exception: it returns 42":   "-",
		"(nothing)":                     "",
	}
	for in, want := range tests {
		if got := questions.ExceptionName(in); got != want {
			t.Errorf("ExceptionName(%q)=%q, want %q", in, got, want)
		}
	}
}

func TestFindPythons_ExplicitMissing(t *testing.T) {
	if _, _, err := questions.FindPythons(context.Background(), "python3.99-does-not-exist"); err == nil {
		t.Fatal("a missing explicit interpreter was accepted")
	}
}
