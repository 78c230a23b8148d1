// Package console is the terminal adapter behind `asyncquiz play`: a chat
// with one person where a single letter answers the question on screen and
// any other line is a command, with or without the /asyncquiz prefix that
// Slack needs ("help", "/asyncquiz help" and "/ASYNCQUIZ help" are one).
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"golang.org/x/term"
)

// Name is the platform's name in the bot and in every stored row.
const Name = "console"

// Adapter renders bot messages as text and reads commands and answers.
type Adapter struct {
	out     io.Writer // the terminal when there is one
	read    func() (string, error)
	term    *term.Terminal // nil for piped play
	raw     io.Writer      // under term, for what must bypass it
	loc     *time.Location
	now     func() time.Time
	width   func() int
	restore func() // before a panic in the reader goes on

	mu       sync.Mutex
	nextRef  int
	round    []bot.Button // buttons of the newest open round
	roundRef string
	private  []bot.Button // buttons of the newest drill or redo card
	edits    chan string  // refs of edited (revealed) messages
	report   *bot.Button  // "Report a problem" of the newest message that has one
	form     *bot.Form    // a form waiting for its line (the report's reason)

	termWidth int // the width last told to term; only the reader uses it
}

// DefaultWidth is the width text is wrapped to when the terminal's is not
// known, or output is not a terminal.
const DefaultWidth = 80

// New returns an Adapter for piped play: Run reads lines from in, and
// messages are printed to out with times in loc. No prompt is printed.
func New(in io.Reader, out io.Writer, loc *time.Location, opts ...Option) *Adapter {
	c := newAdapter(out, loc, opts)
	c.read = lineReader{bufio.NewReader(in)}.ReadLine
	return c
}

// NewTerminal returns an Adapter for a person at a terminal, rw, which must
// already be in raw mode (term.MakeRaw) when it is a real one. Run reads it
// with line editing and history (golang.org/x/term: arrows, Home, End,
// Ctrl-A, Ctrl-E, Ctrl-W, Ctrl-K, Ctrl-U; up and down recall earlier
// lines; Tab finishes a command's name), and everything the adapter
// prints goes through the same
// terminal, so a reveal arriving while the person types is printed above a
// fresh prompt and their half-typed line.
func NewTerminal(rw io.ReadWriter, loc *time.Location, opts ...Option) *Adapter {
	t := term.NewTerminal(rw, prompt)
	t.AutoCompleteCallback = complete
	c := newAdapter(t, loc, opts)
	c.term, c.raw = t, rw
	c.read = func() (string, error) {
		if w := max(c.width(), minWidth); w != c.termWidth {
			c.termWidth = w
			t.SetSize(w, termHeight)
		}
		line, err := t.ReadLine()
		if errors.Is(err, term.ErrPasteIndicator) {
			err = nil // a pasted line is a line
		}
		return line, err
	}
	return c
}

// prompt is what the terminal shows before the line being typed.
const prompt = "> "

// termHeight is told to x/term with the width; it does not use it.
const termHeight = 24

func newAdapter(out io.Writer, loc *time.Location, opts []Option) *Adapter {
	c := &Adapter{out: out, loc: loc, now: time.Now, width: func() int { return DefaultWidth }, restore: func() {}, edits: make(chan string, 16)}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Option changes how an Adapter behaves.
type Option func(*Adapter)

// WithWidth makes the adapter wrap text to the columns width reports, asked
// before each message so a resized terminal is followed; a width under 20
// counts as 20.
func WithWidth(width func() int) Option { return func(c *Adapter) { c.width = width } }

// minWidth is the narrowest width text is wrapped to.
const minWidth = 20

// WithClock makes the adapter tell times relative to now ("in 10s"); the
// store's clock, so the two agree.
func WithClock(now func() time.Time) Option { return func(c *Adapter) { c.now = now } }

// WithRestore gives the adapter what puts the terminal back as it was: it
// runs before a panic in the adapter's reading goroutine goes on, since a
// panic there runs none of the caller's deferred calls.
func WithRestore(restore func()) Option { return func(c *Adapter) { c.restore = restore } }

// Restore runs what WithRestore gave (nothing without it).
func (c *Adapter) Restore() { c.restore() }

// restoreOnPanic, deferred by the adapter's entry points, gives the
// terminal back before a panic there goes on: Post and Edit also run in
// the bot's own goroutines (a reveal), where the caller's deferred calls
// do not run.
func (c *Adapter) restoreOnPanic() {
	if p := recover(); p != nil {
		c.restore()
		panic(p)
	}
}

// render draws m for this terminal.
func (c *Adapter) render(m bot.Message) string {
	return RenderWidth(m, c.loc, c.now(), max(c.width(), minWidth))
}

var _ bot.Platform = (*Adapter)(nil)

// Post implements bot.Platform by printing the round.
func (c *Adapter) Post(_ context.Context, _ string, m bot.Message) (string, error) {
	defer c.restoreOnPanic()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextRef++
	ref := strconv.Itoa(c.nextRef)
	if len(m.Buttons) > 0 {
		c.round, c.roundRef = m.Buttons, ref
	}
	c.write(c.render(m) + c.hint(m.Buttons) + c.reportHint(m))
	return ref, nil
}

// Edit implements bot.Platform. A terminal cannot change what it printed:
// a reveal (no buttons left) is printed anew; an edit that keeps the
// buttons (the answer count) is not worth reprinting the question.
func (c *Adapter) Edit(_ context.Context, _ string, ref string, m bot.Message) error {
	defer c.restoreOnPanic()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(m.Buttons) > 0 {
		return nil
	}
	if ref == c.roundRef {
		c.round, c.roundRef = nil, ""
	}
	c.write(c.render(m) + c.reportHint(m))
	select {
	case c.edits <- ref:
	default:
	}
	return nil
}

// Edits delivers the ref of every revealed message.
func (c *Adapter) Edits() <-chan string { return c.edits }

func (c *Adapter) reply(r bot.Reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(r.Message.Buttons) > 0 {
		c.private = r.Message.Buttons
	} else if r.Replace {
		c.private = nil
	}
	c.form = r.Form
	text := c.render(r.Message) + c.hint(r.Message.Buttons) + c.reportHint(r.Message)
	if f := r.Form; f != nil {
		text = c.render(bot.Message{Title: f.Title, Text: f.Label + "\nType it on the next line, or press Enter to send the report without one."})
	}
	c.write(text)
}

// reportHint says how to use a message's Report button here, and keeps
// it for the report command; callers hold c.mu.
func (c *Adapter) reportHint(m bot.Message) string {
	if m.Report == nil {
		return ""
	}
	c.report = m.Report
	return "Something wrong with this question? Type report.\n"
}

func (c *Adapter) hint(bs []bot.Button) string {
	if len(bs) == 0 {
		return ""
	}
	return fmt.Sprintf("Answer with a letter, %s to %s.\n", bs[0].Label, bs[len(bs)-1].Label)
}

// write prints s followed by a blank line, in one write so the terminal
// redraws the prompt once; callers hold c.mu.
func (c *Adapter) write(s string) {
	io.WriteString(c.out, strings.TrimRight(s, "\n")+"\n\n")
}

// Say prints text as a message of its own, wrapped like every other (the
// welcome).
func (c *Adapter) Say(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(c.render(bot.Message{Text: text}))
}

// Write implements io.Writer for logs: p is printed as it is, through the
// terminal when there is one, so the prompt is redrawn below it.
func (c *Adapter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

// buttonFor finds the button for a letter: a drill or redo card first, then
// the open round.
func (c *Adapter) buttonFor(letter string) (bot.Button, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, set := range [][]bot.Button{c.private, c.round} {
		if len(set) == 0 {
			continue
		}
		for _, b := range set {
			if strings.EqualFold(b.Label, letter) {
				return b, true
			}
		}
		return bot.Button{}, false
	}
	return bot.Button{}, false
}

func (c *Adapter) hasButtons() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.private) > 0 || len(c.round) > 0
}
