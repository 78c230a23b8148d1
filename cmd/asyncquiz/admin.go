package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

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
	db, err := quiz.Open(ctx, cfg.DB) // Open migrates
	if err != nil {
		return err
	}
	defer quiz.Close(db)
	_, err = fmt.Fprintln(stdout, "Database is up to date.")
	return err
}
