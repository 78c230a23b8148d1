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
)

// errUsage marks an error whose message already explains the right form.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the bot for Slack and/or Discord", runServe},
		{"play", "play the quiz in this terminal", runPlay},
		{"slack", "manifest: print a Slack app manifest", runSlack},
		{"discord", "register: register the slash command and print the invite URL", runDiscord},
		{"questions", "lint | verify | list | show | new: work on the question bank", runQuestions},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"rounds", "list open rounds (--failed: failed ones); close ID [--cancel]: stop one now", runRounds},
		{"export", "write a team's answers or leaderboard as CSV", runExport},
		{"forget", "delete one person's data: --team T --user U", runForget},
		{"healthcheck", "probe a running server's /healthz (for container health checks)", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if err := c.run(ctx, args[1:], stdin, stdout, stderr); err != nil {
			if !errors.Is(err, errUsage) {
				fmt.Fprintf(stderr, "asyncquiz %s: %v\n", c.name, err)
			}
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "asyncquiz: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "asyncquiz runs a daily Python asyncio quiz in Slack, Discord or this terminal.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: asyncquiz <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'asyncquiz <command> -h' for a command's flags.")
}
