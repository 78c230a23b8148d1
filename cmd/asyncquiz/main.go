// Command asyncquiz runs the asyncio quiz bot. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
)

// errUsage marks a usage mistake whose explanation is already printed; it
// exits 2, other errors exit 1.
var errUsage = errors.New("usage")

// command is a subcommand of asyncquiz; one with subs dispatches to them,
// and runs itself (rounds) or is only a group (slack, discord, questions).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
	subs    []command
}

func commands() []command {
	return []command{
		{name: "serve", summary: "run the bot for Slack and/or Discord", run: runServe},
		{name: "play", summary: "play the quiz in this terminal", run: runPlay},
		{name: "slack", summary: "set up the Slack app", subs: slackCommands()},
		{name: "discord", summary: "set up the Discord application", subs: discordCommands()},
		{name: "questions", summary: "work on the question bank", subs: questionsCommands()},
		{name: "migrate", summary: "apply database migrations and exit", run: runMigrate},
		{name: "rounds", summary: "list open rounds, or failed ones with --failed", run: runRounds, subs: []command{
			{name: "close", summary: "close an open round now (--cancel: without scoring or showing the answer)", run: runRoundsClose},
		}},
		{name: "export", summary: "write a team's answers or leaderboard as CSV", run: runExport},
		{name: "forget", summary: "delete one person's data: --team T --user U", run: runForget},
		{name: "healthcheck", summary: "probe a running server's /healthz (for container health checks)", run: runHealthcheck},
		{name: "version", summary: "print the version (the same as asyncquiz --version)", run: runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a command and returns the process exit code: 0, 1 for
// a failure, 2 for a usage mistake.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case isHelp(args[0]):
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		args = []string{"version"}
	case args[0] == "help":
		if len(args) == 1 || args[1] == "help" || isHelp(args[1]) {
			usage(stdout)
			return 0
		}
		// `help X Y` is `X Y -h`, so the two can never differ.
		args = append(append([]string{}, args[1:]...), "-h")
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := runGroup(ctx, c, args[1:], stdin, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "asyncquiz %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "asyncquiz: unknown command %q\n", args[0])
	if args[0] == "preview" {
		fmt.Fprintln(stderr, "preview is a separate program in the repository: go run ./cmd/preview ID [-platform slack|discord] [-reveal]")
	}
	fmt.Fprintln(stderr)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `asyncquiz runs a daily Python asyncio quiz in Slack, Discord or this terminal.

Usage:
  asyncquiz <command> [flags]
  asyncquiz help <command>      the same as asyncquiz <command> -h

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		if c.run != nil {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
		for _, s := range c.subs {
			fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, s.name, s.summary)
		}
	}
	tw.Flush()
	fmt.Fprint(w, `
Settings come from environment variables; a flag of the same meaning
overrides its variable. 'asyncquiz serve -h' lists them all.

The README's pictures come from a separate program in the repository, not
a command of asyncquiz: go run ./cmd/preview ID [-platform discord] [-reveal]
`)
}
