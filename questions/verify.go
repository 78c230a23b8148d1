package questions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Python is a CPython interpreter found on the machine.
type Python struct {
	Name  string // as given or found (python3.12)
	Path  string // the real executable (pyenv shims resolved)
	Minor int    // 3.Minor
}

// Version returns "3.N".
func (p Python) Version() string { return "3." + strconv.Itoa(p.Minor) }

var pyName = regexp.MustCompile(`^python3(\.(\d+))?$`)

// FindPythons resolves spec: "all" (every python3.N with N >= 11 on PATH,
// plus python3), or a comma-separated list of commands or paths. It returns
// the usable interpreters, one per version, and notes on those skipped.
// An explicitly named interpreter that does not run is an error.
func FindPythons(ctx context.Context, spec string) ([]Python, []string, error) {
	var names []string
	explicit := spec != "all"
	if explicit {
		for _, n := range strings.Split(spec, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	} else {
		seen := map[string]bool{}
		for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				m := pyName.FindStringSubmatch(e.Name())
				if m == nil || seen[e.Name()] {
					continue
				}
				if m[2] != "" {
					if n, _ := strconv.Atoi(m[2]); n < 11 {
						continue
					}
				}
				seen[e.Name()] = true
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
	}
	var out []Python
	var notes []string
	byMinor := map[int]bool{}
	for _, n := range names {
		p, err := probe(ctx, n)
		if err != nil {
			if explicit {
				return nil, nil, fmt.Errorf("python %s: %w", n, err)
			}
			notes = append(notes, fmt.Sprintf("%s: skipped (%v)", n, err))
			continue
		}
		if p.Minor < 11 {
			if explicit {
				return nil, nil, fmt.Errorf("python %s is %s; the bank needs 3.11 or newer", n, p.Version())
			}
			continue
		}
		if byMinor[p.Minor] {
			continue
		}
		byMinor[p.Minor] = true
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Minor < out[j].Minor })
	return out, notes, nil
}

func probe(ctx context.Context, name string) (Python, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, "-c", "import sys; print(sys.version_info[0], sys.version_info[1]); print(sys.executable)").Output()
	if err != nil {
		return Python{}, fmt.Errorf("does not run: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var major, minor int
	if len(lines) < 2 {
		return Python{}, fmt.Errorf("unexpected version output %q", out)
	}
	if _, err := fmt.Sscanf(lines[0], "%d %d", &major, &minor); err != nil || major != 3 {
		return Python{}, fmt.Errorf("not CPython 3: %q", lines[0])
	}
	return Python{Name: name, Path: strings.TrimSpace(lines[1]), Minor: minor}, nil
}

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	Jobs    int           // parallel runs; default runtime.NumCPU()
	Timeout time.Duration // per run; default 20s
	// Progress, when set, is called after each question with done and total.
	Progress func(done, total int)
}

// Outcome is one question's verification result.
type Outcome struct {
	Question *Question
	Ran      []string // versions it was verified on
	Skipped  bool     // no interpreter within python/until
	Failures []string // one per failing interpreter: expected vs what CPython did
}

// Report is the result of Verify.
type Report struct {
	Outcomes []Outcome
	Runs     map[string]int // verified runs per version
	Isolated bool           // programs ran without network access
}

// Counts returns verified, failed and skipped question counts.
func (r Report) Counts() (verified, failed, skipped int) {
	for _, o := range r.Outcomes {
		switch {
		case len(o.Failures) > 0:
			failed++
		case o.Skipped:
			skipped++
		default:
			verified++
		}
	}
	return
}

// Summary is "N verified, M failed, K skipped".
func (r Report) Summary() string {
	v, f, s := r.Counts()
	return fmt.Sprintf("%d verified, %d failed, %d skipped", v, f, s)
}

// Verify runs every question on each interpreter within its version range
// and checks the answer by its kind (see README.md).
func Verify(ctx context.Context, qs []*Question, pythons []Python, opts VerifyOptions) Report {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.NumCPU()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	isolated := canIsolate()
	rep := Report{Outcomes: make([]Outcome, len(qs)), Runs: map[string]int{}, Isolated: isolated}
	var mu sync.Mutex
	sem := make(chan struct{}, opts.Jobs)
	var wg sync.WaitGroup
	done := 0
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o := Outcome{Question: q}
			for _, py := range pythons {
				if !inRange(q, py.Minor) {
					continue
				}
				o.Ran = append(o.Ran, py.Version())
				if msg := verifyOne(ctx, q, py, opts.Timeout, isolated); msg != "" {
					o.Failures = append(o.Failures, fmt.Sprintf("%s on %s: %s", q.ID, py.Version(), msg))
				}
			}
			o.Skipped = len(o.Ran) == 0
			mu.Lock()
			rep.Outcomes[i] = o
			if len(o.Failures) == 0 {
				for _, v := range o.Ran {
					rep.Runs[v]++
				}
			}
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(qs))
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return rep
}

func inRange(q *Question, minor int) bool {
	lo, _ := strconv.Atoi(strings.TrimPrefix(q.Python, "3."))
	if minor < lo {
		return false
	}
	if q.Until != "" {
		hi, _ := strconv.Atoi(strings.TrimPrefix(q.Until, "3."))
		return minor <= hi
	}
	return true
}

// wrapper runs main.py and records the class of the exception escaping it.
const wrapper = `import runpy, sys
sys.argv = ["main.py"]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as e:
    if e.code not in (None, 0):
        open("_escaped", "w").write("SystemExit")
    raise
except BaseException as e:
    open("_escaped", "w").write(type(e).__name__)
    raise
`

type result struct {
	stdout, stderr string
	code           int
	escaped        string
	timedOut       bool
}

func verifyOne(ctx context.Context, q *Question, py Python, timeout time.Duration, isolated bool) string {
	key := q.Options[q.AnswerIndex()].Text
	if MetaOf(key) == MetaHangs {
		return checkHangs(ctx, q, py, isolated)
	}
	switch q.Kind {
	case "output", "timing":
		if MetaOf(key) == MetaRaises {
			res, err := runPython(ctx, py, "main.py", q.Code, timeout, isolated, true)
			if err != nil {
				return err.Error()
			}
			return checkRaises(q, res)
		}
		tries := 1
		if q.Kind == "timing" {
			tries = 3 // load only slows a program down; a right answer is stable
		}
		var msg string
		for i := 0; i < tries; i++ {
			res, err := runPython(ctx, py, "main.py", q.Code, timeout, isolated, false)
			if err != nil {
				return err.Error()
			}
			if msg = checkOutput(q, res); msg == "" {
				return ""
			}
		}
		return msg
	case "error":
		res, err := runPython(ctx, py, "main.py", q.Code, timeout, isolated, true)
		if err != nil {
			return err.Error()
		}
		return checkError(q, res)
	case "concept":
		res, err := runPython(ctx, py, "check.py", q.Check, timeout, isolated, false)
		if err != nil {
			return err.Error()
		}
		if res.timedOut {
			return "check timed out"
		}
		if res.code != 0 {
			return fmt.Sprintf("check exited %d: %s", res.code, lastLines(res.stderr, 3))
		}
		return ""
	}
	return "unknown kind " + q.Kind
}

// checkHangs proves an "It hangs" answer: the program is still running when
// hangs_after has passed. A slow machine can only make that more likely, so
// the program must also not have exited on its own.
func checkHangs(ctx context.Context, q *Question, py Python, isolated bool) string {
	limit := time.Duration(q.HangsAfter * float64(time.Second))
	res, err := runPython(ctx, py, "main.py", q.Code, limit, isolated, true)
	if err != nil {
		return err.Error()
	}
	if !res.timedOut {
		what := "exited 0"
		if res.escaped != "" {
			what = "raised " + res.escaped
		} else if res.code != 0 {
			what = fmt.Sprintf("exited %d", res.code)
		}
		return fmt.Sprintf("expected it to hang (option %s), but it %s within %gs; stdout %q", q.Answer, what, q.HangsAfter, Normalize(res.stdout))
	}
	return ""
}

// checkRaises proves an "It raises X" answer of an output or timing
// question: X escapes the program; no other "It raises" option names it.
func checkRaises(q *Question, res result) string {
	if res.timedOut {
		return "timed out"
	}
	want := RaisedName(q.Options[q.AnswerIndex()].Text)
	if res.escaped == "" {
		return fmt.Sprintf("expected it to raise %s (option %s), but it exited %d and printed %q", want, q.Answer, res.code, Normalize(res.stdout))
	}
	for i, o := range q.Options {
		if i != q.AnswerIndex() && MetaOf(o.Text) == MetaRaises && RaisedName(o.Text) == res.escaped {
			return fmt.Sprintf("raised %s, which is wrong option %s", res.escaped, Letter(i))
		}
	}
	if res.escaped != want {
		return fmt.Sprintf("expected %s (option %s), CPython raised %s", want, q.Answer, res.escaped)
	}
	return ""
}

// expectedOutput is what stdout must be for an option: its text, or
// nothing for "Nothing is printed". Other meta options match no output.
func expectedOutput(text string) (string, bool) {
	switch MetaOf(text) {
	case MetaNothing:
		return "", true
	case MetaNone:
		return Normalize(text), true
	}
	return "", false
}

func checkOutput(q *Question, res result) string {
	if res.timedOut {
		return "timed out"
	}
	if res.code != 0 {
		return fmt.Sprintf("exited %d: %s", res.code, lastLines(res.stderr, 3))
	}
	got := Normalize(res.stdout)
	want, _ := expectedOutput(q.Options[q.AnswerIndex()].Text)
	for i, o := range q.Options {
		if w, ok := expectedOutput(o.Text); ok && i != q.AnswerIndex() && w == got {
			return fmt.Sprintf("printed %q, which is wrong option %s (answer %s expects %q)", got, Letter(i), q.Answer, want)
		}
	}
	if got != want {
		return fmt.Sprintf("expected %q (option %s), CPython printed %q", want, q.Answer, got)
	}
	return ""
}

func checkError(q *Question, res result) string {
	if res.timedOut {
		return "timed out"
	}
	got := res.escaped
	if got == "" && res.code != 0 {
		return fmt.Sprintf("exited %d without an escaping exception: %s", res.code, lastLines(res.stderr, 3))
	}
	for i, o := range q.Options {
		if MetaOf(o.Text) == MetaHangs {
			continue // the program finished, so a wrong "It hangs" is refuted
		}
		if ExceptionName(o.Text) == "" {
			if i == q.AnswerIndex() {
				return fmt.Sprintf("answer %s names no exception class: %q", q.Answer, o.Text)
			}
			continue
		}
		matches := ExceptionName(o.Text) == got
		if got == "" {
			matches = isNoException(o.Text)
		}
		if matches && i != q.AnswerIndex() {
			return fmt.Sprintf("raised %s, which is wrong option %s", describe(got), Letter(i))
		}
		if i == q.AnswerIndex() && !matches {
			return fmt.Sprintf("expected %s (option %s), CPython raised %s", optionException(o.Text), q.Answer, describe(got))
		}
	}
	return ""
}

func describe(exc string) string {
	if exc == "" {
		return "nothing"
	}
	return exc
}

func optionException(text string) string {
	if isNoException(text) {
		return "no exception"
	}
	return ExceptionName(text)
}

var excName = regexp.MustCompile("^`?([A-Za-z_][A-Za-z0-9_.]*)")

// ExceptionName is the exception class an error option names: its first
// word, bare or in backticks, last part of a dotted name. Options starting
// with "No exception" name none ("").
func ExceptionName(text string) string {
	text = strings.TrimSpace(text)
	if isNoException(text) {
		return "-"
	}
	m := excName.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	parts := strings.Split(m[1], ".")
	return parts[len(parts)-1]
}

func isNoException(text string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "no exception")
}

// Normalize trims trailing spaces on each line and blank lines at either end.
func Normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

var (
	isolateOnce sync.Once
	isolateOK   bool
)

// canIsolate reports whether programs can run in a network namespace with
// only loopback (unshare -n, as root).
func canIsolate() bool {
	isolateOnce.Do(func() {
		err := exec.Command("unshare", "-n", "sh", "-c", "ip link set lo up").Run()
		isolateOK = err == nil
	})
	return isolateOK
}

// runPython writes src to a fresh temp dir as file and runs it there.
func runPython(ctx context.Context, py Python, file, src string, timeout time.Duration, isolated, wrapped bool) (result, error) {
	dir, err := os.MkdirTemp("", "asyncquiz-verify-")
	if err != nil {
		return result{}, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, file), []byte(src), 0o644); err != nil {
		return result{}, err
	}
	script := file
	if wrapped {
		script = "_asyncquiz_wrapper.py"
		if err := os.WriteFile(filepath.Join(dir, script), []byte(wrapper), 0o644); err != nil {
			return result{}, err
		}
	}
	args := []string{py.Path, script}
	if isolated {
		args = append([]string{"unshare", "-n", "sh", "-c", `ip link set lo up && exec "$@"`, "sh"}, args...)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "PYTHONUTF8=1",
	}
	killGroupOnCancel(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.timedOut = true
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		return result{}, fmt.Errorf("run %s: %w", py.Name, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "_escaped")); err == nil {
		res.escaped = string(b)
	}
	return res, nil
}
