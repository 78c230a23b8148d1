package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func runVersion(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", "Print the version: the one set at build time, else the module version (go install ...@v1.2.3),\n"+
		"else the VCS revision the binary was built from. asyncquiz --version prints the same.")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	bi, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintf(stdout, "asyncquiz %s\n", versionOf(version, bi))
	return err
}

// versionOf is the version to print: the -ldflags one, else the module's
// (go install ...@v1.2.3, or the VCS pseudo-version go build stamps since
// Go 1.24), else dev with the VCS revision (and -dirty for a modified
// tree), else dev.
func versionOf(ldflags string, bi *debug.BuildInfo) string {
	if ldflags != "" {
		return ldflags
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return "dev-" + rev
}

func runMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("migrate", "[flags]", "Apply the database migrations and exit (serve applies them too).")
	cfg.dbFlag(fs)
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, nil) // Open migrates
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = fmt.Fprintln(stdout, "Database is up to date.")
	return err
}

func runRounds(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("rounds", "[--failed] [flags]", "List open rounds, or with --failed the rounds that could not be posted or revealed.\n"+
		"asyncquiz rounds close ID [--cancel] closes one now.")
	cfg.dbFlag(fs)
	failed := fs.Bool("failed", false, "list rounds that could not be posted or revealed, with their last error")
	limit := fs.Int("limit", 100, "list at most this many")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, nil)
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
