package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/asyncquiz/asyncquiz/bot/console"
	"golang.org/x/term"
)

// terminal is the person's terminal as one io.ReadWriter for x/term.
type terminal struct {
	io.Reader
	io.Writer
}

// makeRaw puts the terminal f into raw mode and returns what restores it;
// calling that more than once is harmless.
func makeRaw(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("set up the terminal: %w", err)
	}
	return sync.OnceFunc(func() { term.Restore(fd, old) }), nil
}

// restoreOnPanic, deferred first in a goroutine, gives the terminal back
// before a panic there goes on: a panic off play's goroutine runs none of
// play's deferred calls, and would leave the shell raw.
func restoreOnPanic(con *console.Adapter) {
	if p := recover(); p != nil {
		con.Restore()
		panic(p)
	}
}

// terminalWidth reports f's columns, or console.DefaultWidth when it
// cannot tell.
func terminalWidth(f *os.File) func() int {
	return func() int {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
		return console.DefaultWidth
	}
}

// logWriter lets play move its logs onto the terminal while it is raw, so a
// warning neither stair-steps nor lands on the line being typed.
type logWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logWriter) set(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w = w
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
