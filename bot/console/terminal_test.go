package console_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// fakeTerminal stands in for a raw terminal: keys go in through a pipe, and
// what the adapter writes back (echo, prompts, escape codes) is collected.
type fakeTerminal struct {
	keys *io.PipeWriter
	in   *io.PipeReader

	mu      sync.Mutex
	out     strings.Builder
	changed chan struct{}
}

func (f *fakeTerminal) Read(p []byte) (int, error) { return f.in.Read(p) }

func (f *fakeTerminal) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out.Write(p)
	select {
	case f.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (f *fakeTerminal) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.String()
}

// press sends keys as a terminal in raw mode would.
func (f *fakeTerminal) press(t *testing.T, keys string) {
	t.Helper()
	if _, err := io.WriteString(f.keys, keys); err != nil {
		t.Fatalf("press %q: %v", keys, err)
	}
}

// waitFor waits until the output satisfies ok, or fails at a deadline.
func (f *fakeTerminal) waitFor(t *testing.T, what string, ok func(out string) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !ok(f.output()) {
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; the terminal shows:\n%q", what, f.output())
		}
	}
}

func (f *fakeTerminal) waitCount(t *testing.T, s string, n int) {
	t.Helper()
	f.waitFor(t, strings.Repeat("|"+s, n), func(out string) bool { return strings.Count(out, s) >= n })
}

func (f *fakeTerminal) waitPrompt(t *testing.T, line string) {
	t.Helper()
	f.waitFor(t, "the prompt "+line, func(out string) bool { return strings.HasSuffix(out, "> "+line) })
}

type termSession struct {
	term *fakeTerminal
	con  *console.Adapter
	errc chan error
}

// playTerminal runs an adapter over a fake terminal on a fresh store.
func playTerminal(t *testing.T) *termSession {
	t.Helper()
	store, _ := quiztest.NewStore(t, quiztest.MustOpenSQLite(t))
	b := bot.New(store, nil)
	pr, pw := io.Pipe()
	ft := &fakeTerminal{keys: pw, in: pr, changed: make(chan struct{}, 1)}
	con := console.NewTerminal(ft, time.UTC)
	b.Register("console", con)
	ev := bot.Event{Platform: "console", Team: "local", Channel: "terminal", User: "ada", UserName: "ada", CanManage: bot.Known(true)}
	s := &termSession{term: ft, con: con, errc: make(chan error, 1)}
	go func() { s.errc <- con.Run(context.Background(), b, ev) }()
	t.Cleanup(func() { pw.Close() })
	ft.waitPrompt(t, "")
	return s
}

// ended waits for Run to return and gives its error.
func (s *termSession) ended(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Run did not return; the terminal shows:\n%q", s.term.output())
	}
	return nil
}

// At a terminal lines are edited in place (backspace, arrows) and the up
// arrow recalls the line before; Ctrl-D on an empty line ends Run.
func TestTerminal_EditingAndHistory(t *testing.T) {
	s := playTerminal(t)
	s.term.press(t, "stats\r")
	s.term.waitCount(t, "No answers yet", 1)
	s.term.waitPrompt(t, "")
	s.term.press(t, "\x1b[A") // up: the last line comes back
	s.term.waitPrompt(t, "stats")
	s.term.press(t, "\r")
	s.term.waitCount(t, "No answers yet", 2)

	s.term.press(t, "hepl\x7f\x7flp\r") // two backspaces, retyped
	s.term.waitCount(t, "=== How to use asyncquiz ===", 1)
	s.term.press(t, "hlp\x1b[D\x1b[De\r") // two lefts, then the missing letter
	s.term.waitCount(t, "=== How to use asyncquiz ===", 2)

	s.term.press(t, "\x04") // Ctrl-D
	if err := s.ended(t); err != nil {
		t.Fatalf("Run after Ctrl-D = %v, want nil", err)
	}
	if out := s.term.output(); !strings.HasSuffix(out, "> \r\n") {
		t.Fatalf("after Ctrl-D the terminal ends %q, want the prompt's line ended", out[max(0, len(out)-40):])
	}
}

// In raw mode Ctrl-C is a key, not a signal: x/term reports it as io.EOF,
// and it ends Run cleanly even with a line half typed.
func TestTerminal_CtrlC(t *testing.T) {
	s := playTerminal(t)
	s.term.press(t, "sta\x03")
	if err := s.ended(t); err != nil {
		t.Fatalf("Run after Ctrl-C = %v, want nil", err)
	}
	// What play prints on the way out comes on lines of its own: the
	// terminal must not redraw the abandoned prompt and "sta" under it.
	s.con.Say("Your drill waits.")
	if out := s.term.output(); !strings.HasSuffix(out, "\r\nYour drill waits.\r\n\r\n") || strings.Contains(out, "\x1b[KYour drill") {
		t.Fatalf("after Ctrl-C the terminal ends %q, want the note on a line of its own and no prompt", out[max(0, len(out)-60):])
	}
}

// Output that arrives while the person types (a round's reveal, printed by
// the revealer) comes above a fresh prompt and the half-typed line, which
// then carries on.
func TestTerminal_AsyncOutputRedrawsPrompt(t *testing.T) {
	s := playTerminal(t)
	s.term.press(t, "dri")
	s.term.waitPrompt(t, "dri")
	s.con.Edit(context.Background(), "c", "1", bot.Message{Title: "asyncio quiz · revealed", Text: "Answer: B"})
	out := s.term.output()
	if !strings.Contains(out, "=== asyncio quiz · revealed ===\r\nAnswer: B\r\n") {
		t.Fatalf("the reveal is not printed whole, with CRLF line ends:\n%q", out)
	}
	if !strings.HasSuffix(out, "> dri") {
		t.Fatalf("after the reveal the terminal ends %q, want the prompt and the half-typed line", out[max(0, len(out)-40):])
	}
	s.term.press(t, "ll 1\r")
	s.term.waitCount(t, "Drill 1/1", 1)
	s.term.press(t, "quit\r")
	if err := s.ended(t); err != console.ErrQuit {
		t.Fatalf("Run after quit = %v, want ErrQuit", err)
	}
}

// Tab finishes a command's name, after the prefix too.
func TestTerminal_TabCompletesCommands(t *testing.T) {
	s := playTerminal(t)
	// The terminal redraws a completed line from the cursor on, so what is
	// checked is the end of what it wrote.
	ends := func(tail string) {
		t.Helper()
		s.term.waitFor(t, "the line to end "+tail, func(out string) bool { return strings.HasSuffix(out, tail) })
	}
	s.term.press(t, "stat\t")
	ends("\x1b[4Dstats ")
	s.term.press(t, "\r")
	s.term.waitCount(t, "No answers yet", 1)
	s.term.press(t, "/ASYNCQUIZ he\t")
	ends("help ")
	s.term.press(t, "drill\r")
	s.term.waitCount(t, "=== /asyncquiz drill ===", 1)
	s.term.press(t, "QU\t")
	ends("quit ")
	s.term.press(t, "\r")
	if err := s.ended(t); err != console.ErrQuit {
		t.Fatalf("Run after quit = %v, want ErrQuit", err)
	}
}

// A panic while printing (a reveal runs in one of the bot's goroutines)
// gives the terminal back before it goes on.
func TestConsole_PanicRestoresTerminal(t *testing.T) {
	restored := 0
	con := console.New(strings.NewReader(""), io.Discard, time.UTC,
		console.WithWidth(func() int { panic("boom") }), console.WithRestore(func() { restored++ }))
	for _, call := range []func(){
		func() { con.Post(context.Background(), "c", bot.Message{Text: "q"}) },
		func() { con.Edit(context.Background(), "c", "1", bot.Message{Text: "revealed"}) },
	} {
		var got any
		func() {
			defer func() { got = recover() }()
			call()
		}()
		if got != "boom" {
			t.Fatalf("recovered %v, want the panic to go on", got)
		}
	}
	if restored != 2 {
		t.Fatalf("restored %d times, want 2", restored)
	}
}
