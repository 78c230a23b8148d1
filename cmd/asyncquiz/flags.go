package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Every command parses its flags through parseFlags, so -h and --help
// behave the same everywhere: the help goes to stdout and the exit code is
// 0. A usage mistake (a bad flag, a missing argument, an unknown
// subcommand) goes to stderr with exit code 2; a runtime failure exits 1.

// newFlags returns the flag set of `asyncquiz <name>`, whose usage shows
// synopsis (the arguments after the name), about and the flags.
func newFlags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	usageFor(fs, synopsis, about)
	return fs
}

// usageFor sets fs's usage: it writes to fs.Output(), where parseFlags
// points it (stdout for -h, stderr for a mistake).
func usageFor(fs *flag.FlagSet, synopsis, about string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: asyncquiz %s %s\n", fs.Name(), synopsis)
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", about)
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
}

// parseFlags parses args with fs. For -h or --help it prints the usage to
// stdout and reports helped (the command then returns nil: exit 0). For a
// bad flag it prints the problem and the usage to stderr and returns
// errUsage (exit 2).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (helped bool, err error) {
	fs.SetOutput(io.Discard) // the flag package would print to one writer for both
	err = fs.Parse(args)
	switch {
	case err == nil:
		fs.SetOutput(stderr) // for usageError after a check of the arguments
		return false, nil
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return true, nil
	default:
		fs.SetOutput(stderr)
		return false, usageError(fs, "%v", err)
	}
}

// usageError prints a usage mistake and fs's usage to stderr (fs's output
// once parsed) and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "asyncquiz %s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// runGroup runs `asyncquiz <c.name> ...`: the subcommand args[0] names,
// else c itself. For a group without a run of its own, a missing or
// unknown subcommand is a usage mistake and -h or --help lists them.
func runGroup(ctx context.Context, c command, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		for _, s := range c.subs {
			if s.name == args[0] {
				return s.run(ctx, args[1:], stdin, stdout, stderr)
			}
		}
	}
	if c.run != nil {
		return c.run(ctx, args, stdin, stdout, stderr)
	}
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "asyncquiz %s: a subcommand is required\n\n", c.name)
		groupUsage(stderr, c)
		return errUsage
	case isHelp(args[0]):
		groupUsage(stdout, c)
		return nil
	}
	fmt.Fprintf(stderr, "asyncquiz %s: unknown subcommand %q\n\n", c.name, args[0])
	groupUsage(stderr, c)
	return errUsage
}

func groupUsage(w io.Writer, c command) {
	fmt.Fprintf(w, "Usage: asyncquiz %s <subcommand> [flags]\n\n%s.\n\nSubcommands:\n", c.name, upperFirst(c.summary))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range c.subs {
		fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'asyncquiz %s <subcommand> -h' for a subcommand's flags.\n", c.name)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
