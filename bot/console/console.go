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
	"unicode"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/bot"
)

// Name is the platform's name in the bot and in every stored row.
const Name = "console"

// Adapter renders bot messages as text and reads commands and answers.
type Adapter struct {
	out    io.Writer
	loc    *time.Location
	now    func() time.Time
	width  func() int
	prompt bool

	mu       sync.Mutex
	nextRef  int
	round    []bot.Button // buttons of the newest open round
	roundRef string
	private  []bot.Button // buttons of the newest drill or redo card
	edits    chan string  // refs of edited (revealed) messages
}

// DefaultWidth is the width text is wrapped to when the terminal's is not
// known, or output is not a terminal.
const DefaultWidth = 80

// New returns a Console writing to out, showing times in loc. With prompt
// set it prints "> " before reading each line (for a terminal).
func New(out io.Writer, loc *time.Location, prompt bool, opts ...Option) *Adapter {
	c := &Adapter{out: out, loc: loc, now: time.Now, width: func() int { return DefaultWidth }, prompt: prompt, edits: make(chan string, 16)}
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

// WithClock makes the adapter tell times relative to now ("in 10s"); the
// store's clock, so the two agree.
func WithClock(now func() time.Time) Option { return func(c *Adapter) { c.now = now } }

// render draws m for this terminal.
func (c *Adapter) render(m bot.Message) string {
	return RenderWidth(m, c.loc, c.now(), max(c.width(), 20))
}

var _ bot.Platform = (*Adapter)(nil)

// Post implements bot.Platform by printing the round.
func (c *Adapter) Post(_ context.Context, _ string, m bot.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextRef++
	ref := strconv.Itoa(c.nextRef)
	if len(m.Buttons) > 0 {
		c.round, c.roundRef = m.Buttons, ref
	}
	c.write(c.render(m) + c.hint(m.Buttons))
	return ref, nil
}

// Edit implements bot.Platform. A terminal cannot change what it printed:
// a reveal (no buttons left) is printed anew; an edit that keeps the
// buttons (the answer count) is not worth reprinting the question.
func (c *Adapter) Edit(_ context.Context, _ string, ref string, m bot.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(m.Buttons) > 0 {
		return nil
	}
	if ref == c.roundRef {
		c.round, c.roundRef = nil, ""
	}
	c.write(c.render(m))
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
	c.write(c.render(r.Message) + c.hint(r.Message.Buttons))
}

func (c *Adapter) hint(bs []bot.Button) string {
	if len(bs) == 0 {
		return ""
	}
	return fmt.Sprintf("Answer with a letter, %s to %s.\n", bs[0].Label, bs[len(bs)-1].Label)
}

// write prints s followed by a blank line; callers hold c.mu.
func (c *Adapter) write(s string) {
	fmt.Fprintln(c.out, strings.TrimRight(s, "\n"))
	fmt.Fprintln(c.out)
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

// maxLine is the longest line play acts on, in bytes; commands and answers
// are far shorter, and a longer line (a paste gone wrong) is refused whole.
const maxLine = 4 << 10

// ErrQuit is what Run returns when the person typed quit or exit.
var ErrQuit = errors.New("quit")

// Run reads lines from in and acts on each as ev. It returns nil when in
// ends or ctx is done, ErrQuit when the person types quit or exit, or the
// error reading in. A line of any length is read; one over 4 KiB is
// answered "That line is too long" and otherwise ignored. A command that
// has started runs to its end even when ctx is done (Ctrl-C), so it
// neither half-happens nor logs a cancellation.
func (c *Adapter) Run(ctx context.Context, in io.Reader, b *bot.Bot, ev bot.Event) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		r := lineReader{bufio.NewReader(in)}
		for {
			line, err := r.ReadLine()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				errc <- err
				close(lines)
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		if c.prompt {
			c.mu.Lock()
			fmt.Fprint(c.out, "> ")
			c.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			if c.handle(context.WithoutCancel(ctx), b, ev, strings.TrimSpace(line)) {
				return ErrQuit
			}
		}
	}
}

// lineReader reads lines of any length, keeping at most maxLine+1 bytes of
// each: enough to tell that a line is too long without holding all of it.
type lineReader struct{ r *bufio.Reader }

// ReadLine returns the next line without its line ending; a last line
// without one counts. It returns io.EOF after the last line.
func (l lineReader) ReadLine() (string, error) {
	var buf []byte
	for {
		frag, err := l.r.ReadSlice('\n')
		if room := maxLine + 1 - len(buf); room > 0 {
			buf = append(buf, frag[:min(room, len(frag))]...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return strings.TrimRight(string(buf), "\r\n"), nil
		case err != nil:
			return "", err
		}
		return strings.TrimRight(string(buf), "\r\n"), nil
	}
}

// prefix starts every command on Slack; in the terminal it is optional.
const prefix = "/asyncquiz"

// handle acts on one line and reports whether it asks to quit.
func (c *Adapter) handle(ctx context.Context, b *bot.Bot, ev bot.Event, line string) (quit bool) {
	switch {
	case line == "":
		return false
	case len(line) > maxLine:
		c.reply(bot.Reply{Message: bot.Message{Text: fmt.Sprintf("That line is too long (over %d KiB), so I ignored it. Commands and answers are short: try help.", maxLine>>10)}})
		return false
	}
	if utf8.RuneCountInString(line) == 1 && line != "/" {
		c.answer(ctx, b, ev, line)
		return false
	}
	text := commandText(line)
	switch strings.ToLower(text) {
	case "quit", "exit":
		return true
	}
	r := b.CommandText(ctx, ev, text)
	if c.hasButtons() && !isCommand(text) {
		// Someone answering in words: say how to answer as well.
		r.Message.Footer = strings.TrimSpace(r.Message.Footer + "\nTo answer the question, type its letter.")
	}
	c.reply(r)
	return false
}

// answer clicks the button for a letter.
func (c *Adapter) answer(ctx context.Context, b *bot.Bot, ev bot.Event, letter string) {
	btn, ok := c.buttonFor(letter)
	switch {
	case ok:
		c.reply(b.Click(ctx, ev, btn.Action))
	case c.hasButtons():
		c.reply(bot.Reply{Message: bot.Message{Text: fmt.Sprintf("%q is not an option here; answer with one of the letters shown.", bot.Clip(letter))}})
	default:
		c.reply(bot.Reply{Message: bot.Message{Text: "There is nothing to answer right now. Try start 30s for a round or drill 5 to practise."}})
	}
}

// commandText is the command in line: the words after a /asyncquiz prefix
// in any case ("/ASYNCQUIZ help"), after a lone slash ("/help"), or the
// line itself ("help").
func commandText(line string) string {
	if len(line) >= len(prefix) && strings.EqualFold(line[:len(prefix)], prefix) {
		if rest := line[len(prefix):]; rest == "" || unicode.IsSpace(rune(rest[0])) {
			return strings.TrimSpace(rest)
		}
	}
	return strings.TrimPrefix(line, "/")
}

// isCommand reports whether text starts with a subcommand's name.
func isCommand(text string) bool {
	word, _, _ := strings.Cut(text, " ")
	for _, s := range bot.Grammar() {
		if strings.EqualFold(s.Name, word) {
			return true
		}
	}
	return word == ""
}
