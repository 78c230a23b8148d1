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
)

// revealWaitAtEOF is how near a round's deadline must be for piped play to
// wait for its reveal before exiting.
const revealWaitAtEOF = 2 * time.Minute

func runPlay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.commonFlags(fs)
	name := defaultUser()
	fs.StringVar(&name, "user", name, "your name on leaderboards")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: asyncquiz play [flags]\n\nPlay the quiz in this terminal. Type /asyncquiz help for commands, a letter to answer.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if name == "" {
		fmt.Fprintln(stderr, "asyncquiz play: --user must not be empty")
		return errUsage
	}
	level, err := cfg.logLevel()
	if err != nil {
		return err
	}
	// Logs would interleave with the game; only warnings go to stderr.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	interactive := isTerminal(stdin)
	con := console.New(stdout, a.store.Location(), interactive)
	a.bot.Register(console.Name, con)
	ev := bot.Event{Platform: console.Name, Team: "local", Channel: "terminal", User: name, UserName: name, CanManage: bot.Known(true)}

	loopCtx, stopLoop := context.WithCancel(ctx)
	rev := &schedule.Revealer{Rounds: a.bot.Rounds(), Store: a.store, Log: log}
	a.bot.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged})
	go rev.Run(loopCtx)
	defer func() { stopLoop(); <-rev.Done() }()

	if interactive {
		fmt.Fprintf(stdout, "asyncquiz: the Python asyncio quiz. %d questions; data in %s.\n", len(a.bank.Questions), cfg.DB)
		fmt.Fprintln(stdout, "Type help for commands, start 30s for a round, drill 5 to practise, quit to leave.")
		fmt.Fprintln(stdout)
	}
	err = con.Run(ctx, stdin, a.bot, ev)
	switch {
	case ctx.Err() != nil:
		return nil // Ctrl-C (SIGINT) or SIGTERM: leave at once, quietly
	case errors.Is(err, console.ErrQuit), err == nil && interactive:
		return noteOpenRound(ctx, a, ev, stdout)
	case err != nil:
		return fmt.Errorf("read input: %w", err)
	}
	return waitForReveal(ctx, a, con, ev, stdout)
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
	timeout := time.NewTimer(left + 30*time.Second)
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

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
