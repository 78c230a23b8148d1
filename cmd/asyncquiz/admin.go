package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func runVersion(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) error {
	v := version
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	_, err := fmt.Fprintf(stdout, "asyncquiz %s\n", v)
	return err
}

func runMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite file or postgres:// URL (ASYNCQUIZ_DB)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	store, err := quiz.Open(ctx, cfg.DB, nil) // Open migrates
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = fmt.Fprintln(stdout, "Database is up to date.")
	return err
}

func runRounds(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "close" {
		return runRoundsClose(ctx, args[1:], stdout, stderr)
	}
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("rounds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite file or postgres:// URL (ASYNCQUIZ_DB)")
	failed := fs.Bool("failed", false, "list rounds that could not be posted or revealed, with their last error")
	limit := fs.Int("limit", 100, "list at most this many")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	store, err := quiz.Open(ctx, cfg.DB, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	states := []string{quiz.StatePosting, quiz.StateOpen, quiz.StateRevealing}
	if *failed {
		states = []string{quiz.StateFailed}
	}
	rounds, err := store.Rounds(ctx, states, *limit)
	if err != nil {
		return err
	}
	if len(rounds) == 0 {
		fmt.Fprintf(stdout, "No %s rounds.\n", map[bool]string{true: "failed", false: "open"}[*failed])
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tPLATFORM\tTEAM\tCHANNEL\tQUESTION\tCLOSES (UTC)\tATTEMPTS\tLAST ERROR")
	for _, r := range rounds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.State, r.Platform, terminalSafe(r.Team), terminalSafe(r.Channel),
			terminalSafe(r.QuestionID), r.ClosesAt.UTC().Format("2006-01-02 15:04:05"), r.Attempts, terminalSafe(r.LastError))
	}
	return tw.Flush()
}
