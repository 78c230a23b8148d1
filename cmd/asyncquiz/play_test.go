package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// watchedBuffer is play's output in a test: safe to read while play writes,
// and it signals every write so a test waits on what it expects, not on time.
type watchedBuffer struct {
	lockedBuffer
	changed chan struct{}
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{changed: make(chan struct{}, 1)} }

func (b *watchedBuffer) Write(p []byte) (int, error) {
	n, err := b.lockedBuffer.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

// wait waits until the output contains s.
func (b *watchedBuffer) wait(t *testing.T, s string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%q in the output:\n%s", s, b.String()), 20*time.Second, b.changed, func() bool { return strings.Contains(b.String(), s) })
}

// session runs play on a fresh database with stdin fed through a pipe.
type session struct {
	in       *io.PipeWriter
	out, err *watchedBuffer
	cancel   context.CancelFunc
	code     chan int
}

func startPlay(t *testing.T, args ...string) *session {
	t.Helper()
	t.Setenv("ASYNCQUIZ_DB", "")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{in: pw, out: newWatchedBuffer(), err: newWatchedBuffer(), cancel: cancel, code: make(chan int, 1)}
	args = append([]string{"play", "--db", filepath.Join(t.TempDir(), "x.db"), "--user", "ada"}, args...)
	go func() { s.code <- run(ctx, args, pr, s.out, s.err) }()
	t.Cleanup(func() { cancel(); pw.Close() })
	return s
}

// send types a line; it returns once play has read it.
func (s *session) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatalf("write %q: %v", line, err)
	}
}

// exit waits for play to end and returns its exit code.
func (s *session) exit(t *testing.T, what string) int {
	t.Helper()
	select {
	case code := <-s.code:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("play did not end after %s; output:\n%s", what, s.out.String())
	}
	return -1
}

// Ctrl-C (SIGINT, which main turns into a cancelled context) ends piped
// play at once with exit 0 and nothing on stderr, even with a round open;
// it used to print "find open round: context canceled" and exit 1.
func TestPlay_InterruptEndsCleanly(t *testing.T) {
	s := startPlay(t)
	s.send(t, "start 1m")
	s.out.wait(t, "Round 1 started")
	s.cancel()
	if code := s.exit(t, "Ctrl-C"); code != 0 || s.err.String() != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, s.err.String())
	}
}

// quit and exit end piped play at once: a round that closes within the
// 2 minutes play waits for at the end of input is left for next time.
func TestPlay_QuitEndsAtOnce(t *testing.T) {
	for _, word := range []string{"quit", "EXIT", "/asyncquiz quit"} {
		t.Run(word, func(t *testing.T) {
			s := startPlay(t)
			s.send(t, "start 1m")
			s.send(t, word)
			if code := s.exit(t, word); code != 0 || s.err.String() != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, s.err.String())
			}
			if out := s.out.String(); !strings.Contains(out, "Round 1 stays open until") || strings.Contains(out, "Unknown command") {
				t.Fatalf("output:\n%s", out)
			}
		})
	}
}

// A panic in one of play's goroutines gives the terminal back before it
// goes on (play's own deferred restore runs only for its goroutine).
func TestRestoreOnPanic(t *testing.T) {
	restored := 0
	con := console.New(strings.NewReader(""), io.Discard, time.UTC, console.WithRestore(func() { restored++ }))
	var got any
	func() {
		defer func() { got = recover() }()
		defer restoreOnPanic(con)
		panic("boom")
	}()
	if got != "boom" || restored != 1 {
		t.Fatalf("recovered %v, restored %d times; want the panic to go on after one restore", got, restored)
	}
	func() { defer restoreOnPanic(con) }()
	if restored != 1 {
		t.Fatalf("restored without a panic")
	}
}

// Quitting mid-drill keeps the drill: the next play shows the card the
// person is on, and answering it carries the drill on.
func TestPlay_DrillSurvivesRestart(t *testing.T) {
	t.Setenv("ASYNCQUIZ_DB", "")
	db := filepath.Join(t.TempDir(), "x.db")
	code, out, errs := runCmd(t, "drill 3\nA\nquit\n", "play", "--db", db, "--user", "ada")
	if code != 0 || !strings.Contains(out, "Your drill waits at question 2 of 3; play again to carry on.") {
		t.Fatalf("first run: exit %d: %s\n%s", code, errs, out)
	}
	code, out, errs = runCmd(t, "A\nA\n", "play", "--db", db, "--user", "ada")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	for _, want := range []string{"You have a drill in progress: question 2 of 3.", "Drill 2/3", "Drill 3/3", "Drill finished", "of 3 right"} {
		if !strings.Contains(out, want) {
			t.Fatalf("second run lacks %q:\n%s", want, out)
		}
	}
}

// Piped play waits for a round that closes soon and prints its reveal (the
// console must not take the answer-count refresh for the reveal). The clock
// is the test's: it moves the round past its deadline and wakes the
// revealer, rather than waiting the round's 5 s.
func TestPlay_PipedStartShowsReveal(t *testing.T) {
	clk := quiztest.NewClock(quiztest.Start)
	fire := make(chan time.Time) // every revealer sleep ends when the test says
	cfg := loadConfig(func(string) (string, bool) { return "", false })
	cfg.DB = filepath.Join(t.TempDir(), "x.db")
	pr, pw := io.Pipe()
	out, errs := newWatchedBuffer(), newWatchedBuffer()
	p := player{cfg: cfg, name: "ada", stdin: pr, stdout: out, stderr: errs, now: clk.Now,
		newTimer: func(time.Duration) (<-chan time.Time, func() bool) { return fire, func() bool { return true } }}
	done := make(chan error, 1)
	go func() { done <- p.run(context.Background()) }()
	io.WriteString(pw, "start 5s\nB\n")
	out.wait(t, "Locked in B.")
	pw.Close() // the end of input: play now waits for the reveal

	clk.Add(10 * time.Second) // past the deadline and its answer grace
	deadline := time.After(20 * time.Second)
	for ended := false; !ended; {
		select {
		case fire <- clk.Now(): // the revealer wakes (it may have woken already, for the answer)
		case err := <-done:
			if err != nil {
				t.Fatalf("play: %v\nstderr: %s", err, errs.String())
			}
			ended = true
		case <-deadline:
			t.Fatalf("play did not end with the reveal:\n%s", out.String())
		}
	}
	for _, want := range []string{"Locked in B.", "Reveal at 12:00:05 UTC (in 5s).", "· revealed ===", "Answer: ", "Results", " of 1 got it right"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
}
