package console

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/asyncquiz/asyncquiz/bot"
)

// maxLine is the longest line play acts on, in bytes; commands and answers
// are far shorter, and a longer line (a paste gone wrong) is refused whole.
const maxLine = 4 << 10

// ErrQuit is what Run returns when the person typed quit or exit.
var ErrQuit = errors.New("quit")

// Run first shows the card of ev's drill under way, if there is one, then
// reads lines and acts on each as ev, one at a time. It returns nil
// when input ends (EOF; at a terminal also Ctrl-D on an empty line and
// Ctrl-C, both of which x/term reports as io.EOF) or ctx is done, ErrQuit
// when the person types quit or exit, or the error reading. A piped line of
// any length is read; one over 4 KiB is answered "That line is too long"
// and otherwise ignored. A command that has started runs to its end even
// when ctx is done, so it neither half-happens nor logs a cancellation.
func (c *Adapter) Run(ctx context.Context, b *bot.Bot, ev bot.Event) error {
	type result struct {
		line string
		err  error
	}
	// The reader reads a line only when asked, so the terminal shows its
	// prompt after the reply to the line before, not during it.
	next, results := make(chan struct{}), make(chan result, 1)
	defer close(next)
	atPrompt := false // a prompt's line is open (Run ends by Ctrl-D, Ctrl-C or ctx)
	defer func() { c.detach(atPrompt) }()
	go func() {
		defer c.restoreOnPanic()
		for range next {
			line, err := c.read()
			results <- result{line, err}
			if err != nil {
				return
			}
		}
	}()
	// A drill left under way (play quit mid-drill) is picked up where it was.
	if r, ok := b.DrillInProgress(ctx, ev); ok {
		c.reply(r)
	}
	for {
		next <- struct{}{}
		atPrompt = true
		select {
		case <-ctx.Done():
			return nil
		case r := <-results:
			if errors.Is(r.err, io.EOF) {
				return nil
			}
			if r.err != nil {
				return r.err
			}
			atPrompt = false
			if c.handle(context.WithoutCancel(ctx), b, ev, strings.TrimSpace(r.line)) {
				return ErrQuit
			}
		}
	}
}

// detach stops printing through x/term once Run is done with it, since
// the Terminal redraws its prompt under anything printed while a line is
// open. If one is (Ctrl-D, Ctrl-C), it is ended first, so what play says
// on the way out, and then the shell's prompt, start on lines of their own.
func (c *Adapter) detach(atPrompt bool) {
	if c.term == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if atPrompt {
		io.WriteString(c.raw, "\r\n")
	}
	c.out = crlfWriter{c.raw}
}

// crlfWriter ends lines with CRLF, as a raw terminal needs.
type crlfWriter struct{ w io.Writer }

func (w crlfWriter) Write(p []byte) (int, error) {
	if _, err := w.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
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
	if f := c.takeForm(); f != nil {
		switch strings.ToLower(line) {
		case "quit", "exit":
			return true
		}
		c.reply(b.Submit(ctx, ev, f.Action, line))
		return false
	}
	if utf8.RuneCountInString(line) == 1 && line != "/" {
		c.answer(ctx, b, ev, line)
		return false
	}
	text := commandText(line)
	word, rest, _ := strings.Cut(text, " ")
	switch strings.ToLower(word) {
	case "quit", "exit":
		if rest == "" {
			return true
		}
	case "report":
		c.startReport(ctx, b, ev, strings.TrimSpace(rest))
		return false
	}
	text = mentions(text)
	r := b.CommandText(ctx, ev, text)
	if c.hasButtons() && !isCommand(text) {
		// Someone answering in words: say how to answer as well.
		r.Message.Footer = strings.TrimSpace(r.Message.Footer + "\nTo answer the question, type its letter.")
	}
	c.reply(r)
	return false
}

// takeForm returns the form waiting for this line, if any, and clears it.
func (c *Adapter) takeForm() *bot.Form {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.form
	c.form = nil
	return f
}

// startReport presses the newest Report button: the bot asks for a reason,
// which is reason when given on the same line.
func (c *Adapter) startReport(ctx context.Context, b *bot.Bot, ev bot.Event, reason string) {
	c.mu.Lock()
	btn := c.report
	c.mu.Unlock()
	if btn == nil {
		c.reply(bot.Reply{Message: bot.Message{Text: "There is nothing to report yet: report works on a reveal, a drill card or a redo card."}})
		return
	}
	r := b.Click(ctx, ev, btn.Action)
	if r.Form != nil && reason != "" {
		c.reply(b.Submit(ctx, ev, r.Form.Action, reason))
		return
	}
	c.reply(r)
}

// mentions turns @name into the mention form the grammar reads, the way
// Slack escapes a mention: the terminal's people are their names.
func mentions(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		if name, ok := strings.CutPrefix(w, "@"); ok && name != "" && !strings.ContainsAny(name, "<>|") {
			words[i] = "<@" + name + "|" + name + ">"
		}
	}
	return strings.Join(words, " ")
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
	for _, name := range subcommandNames() {
		if strings.EqualFold(name, word) {
			return true
		}
	}
	return word == ""
}

// complete is the terminal's Tab: it finishes the command's name being
// typed at the end of the line (after an optional prefix), as far as the
// names that fit agree, with a space after a whole one.
func complete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' || pos != len(line) {
		return "", 0, false
	}
	head, word := "", line
	if p := prefix + " "; len(line) >= len(p) && strings.EqualFold(line[:len(p)], p) {
		head, word = line[:len(p)], line[len(p):]
	} else if strings.HasPrefix(line, "/") {
		head, word = "/", line[1:]
	}
	if word == "" || strings.ContainsAny(word, " \t") {
		return "", 0, false
	}
	done, ok := completeWord(word, append(subcommandNames(), "quit", "exit"))
	if !ok {
		return "", 0, false
	}
	newLine := head + done
	return newLine, len(newLine), true
}

// completeWord finishes word as far as the names it starts agree, with a
// space after a whole name; false when that adds nothing.
func completeWord(word string, names []string) (string, bool) {
	var fits []string
	for _, name := range names {
		if strings.HasPrefix(name, strings.ToLower(word)) {
			fits = append(fits, name)
		}
	}
	if len(fits) == 0 {
		return "", false
	}
	done := fits[0]
	for _, f := range fits[1:] {
		for !strings.HasPrefix(f, done) {
			done = done[:len(done)-1]
		}
	}
	if len(fits) == 1 {
		return done + " ", true
	}
	return done, len(done) > len(word)
}

func subcommandNames() []string {
	var names []string
	for _, s := range bot.Grammar() {
		names = append(names, s.Name)
	}
	return names
}
