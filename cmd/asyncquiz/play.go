package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/schedule"
	"golang.org/x/term"
)

// revealWaitAtEOF is how near a round's deadline must be for piped play to
// wait for its reveal before exiting.
const revealWaitAtEOF = 2 * time.Minute

func runPlay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	cfg.commonFlags(fs)
	name := defaultUser()
	fs.StringVar(&name, "user", name, "your name on leaderboards")
	usageFor(fs, "[flags]", "Play the quiz in this terminal. Type help for commands (the /asyncquiz prefix is optional), a letter to answer, quit to leave.")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if name == "" {
		fmt.Fprintln(stderr, "asyncquiz play: --user must not be empty")
		return errUsage
	}
	return player{cfg: cfg, name: name, stdin: stdin, stdout: stdout, stderr: stderr}.run(ctx)
}

// player is one session of play. Its clock is the wall clock unless a test
// sets now (the store's, and so the bot's and the terminal's) and newTimer
// (the revealer's sleeps), so a test moves time on instead of waiting.
type player struct {
	cfg            Config
	name           string
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	newTimer       func(d time.Duration) (<-chan time.Time, func() bool)
}

func (p player) run(ctx context.Context) error {
	cfg, name, stdin, stdout, stderr := p.cfg, p.name, p.stdin, p.stdout, p.stderr
	level, err := cfg.logLevel()
	if err != nil {
		return err
	}
	// Logs would interleave with the game; only warnings go to stderr, and
	// through the terminal once it is raw (below).
	logs := &logWriter{w: stderr}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	var opts []quiz.Option
	if p.now != nil {
		opts = append(opts, quiz.WithClock(p.now))
	}
	a, err := newApp(ctx, cfg, log, opts...)
	if err != nil {
		return err
	}
	defer a.Close()

	interactive := isTerminal(stdin)
	conOpts := []console.Option{console.WithClock(a.store.Now)}
	if f, ok := stdout.(*os.File); ok && isTerminal(f) {
		conOpts = append(conOpts, console.WithWidth(terminalWidth(f)))
	}
	var con *console.Adapter
	out := stdout // what play itself prints
	if interactive && isTerminal(stdout) {
		// Line editing: x/term reads keys, so the terminal goes raw until
		// play returns, panics included (here by defer, in the other
		// goroutines by restoreOnPanic).
		restore, err := makeRaw(stdin.(*os.File))
		if err != nil {
			return err
		}
		defer restore()
		con = console.NewTerminal(terminal{stdin, stdout}, a.store.Location(), append(conOpts, console.WithRestore(restore))...)
		if isTerminal(stderr) {
			logs.set(con)
			defer logs.set(stderr)
		}
		out = con // through the terminal, like everything else
	} else {
		con = console.New(stdin, stdout, a.store.Location(), conOpts...)
	}
	a.bot.Register(console.Name, con)
	ev := bot.Event{Platform: console.Name, Team: "local", Channel: "terminal", User: name, UserName: name, CanManage: bot.Known(true)}

	loopCtx, stopLoop := context.WithCancel(ctx)
	rev := &schedule.Revealer{Rounds: a.bot.Rounds(), Store: a.store, Log: log, NewTimer: p.newTimer}
	a.bot.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged})
	go func() {
		defer restoreOnPanic(con)
		rev.Run(loopCtx)
	}()
	defer func() { stopLoop(); <-rev.Done() }()

	if interactive {
		con.Say(fmt.Sprintf("asyncquiz: the Python asyncio quiz. %d questions; data in %s.\n", len(a.bank.Questions), cfg.DB) +
			"Type help for commands, start 30s for a round, drill 5 to practise, quit to leave.")
	}
	err = con.Run(ctx, a.bot, ev)
	switch {
	case ctx.Err() != nil:
		return nil // SIGINT (Ctrl-C when not raw) or SIGTERM: leave at once, quietly
	case errors.Is(err, console.ErrQuit), err == nil && interactive:
		return sayWhatWaits(ctx, a, ev, out)
	case err != nil:
		return fmt.Errorf("read input: %w", err)
	}
	return waitForReveal(ctx, a, con, ev, out)
}

// sayWhatWaits tells someone leaving what is kept for next time: when a
// round still open is revealed, and where their drill under way stands.
func sayWhatWaits(ctx context.Context, a *app, ev bot.Event, out io.Writer) error {
	if err := noteOpenRound(ctx, a, ev, out); err != nil {
		return err
	}
	d, err := a.store.ActiveDrill(ctx, quiz.Tenant{Platform: ev.Platform, Team: ev.Team}, ev.User)
	switch {
	case quiz.ErrorCode(err) == quiz.ENotFound || ctx.Err() != nil:
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "Your drill waits at question %d of %d; play again to carry on.\n", d.Seq, d.Count)
	return nil
}

// noteOpenRound says when a round still open is revealed, for someone
// leaving before it is.
func noteOpenRound(ctx context.Context, a *app, ev bot.Event, out io.Writer) error {
	r, err := a.store.OpenRoundIn(ctx, quiz.Tenant{Platform: ev.Platform, Team: ev.Team}, ev.Channel)
	switch {
	case errors.Is(err, quiz.ErrNotFound) || ctx.Err() != nil:
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "Round %d stays open until %s; it is revealed the next time you play after that.\n",
		r.ID, console.When(r.ClosesAt, a.store.Location(), a.store.Now()))
	return nil
}

// waitForReveal keeps a scripted session alive for a round that closes soon,
// so `start 10s` piped in shows its reveal; later rounds stay open in the
// database and are revealed the next time anyone plays. Ctrl-C ends the
// wait at once.
func waitForReveal(ctx context.Context, a *app, con *console.Adapter, ev bot.Event, out io.Writer) error {
	r, err := a.store.OpenRoundIn(ctx, quiz.Tenant{Platform: ev.Platform, Team: ev.Team}, ev.Channel)
	switch {
	case errors.Is(err, quiz.ErrNotFound) || ctx.Err() != nil:
		return nil
	case err != nil:
		return err
	}
	left := r.ClosesAt.Sub(a.store.Now())
	if left > revealWaitAtEOF {
		return noteOpenRound(ctx, a, ev, out)
	}
	// A bound on the real wait, whatever clock the round keeps.
	timeout := time.NewTimer(max(left, 0) + 30*time.Second)
	defer timeout.Stop()
	ref := r.MessageRef
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timeout.C:
			return fmt.Errorf("round %d was not revealed in time", r.ID)
		case got := <-con.Edits():
			if got == ref {
				return nil
			}
		}
	}
}

func defaultUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "you"
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
