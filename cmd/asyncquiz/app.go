package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// app is the wired quiz: bank, database, store and bot.
type app struct {
	cfg   Config
	log   *slog.Logger
	bank  *questions.Bank
	store *quiz.Store
	bot   *bot.Bot
}

// newApp loads the bank and opens the store and the bot (serve and play).
func newApp(ctx context.Context, cfg Config, log *slog.Logger, opts ...quiz.Option) (*app, error) {
	loc, err := cfg.location()
	if err != nil {
		return nil, err
	}
	bank, err := questions.LoadDefault(cfg.Questions...)
	if err != nil {
		return nil, fmt.Errorf("load questions:\n%w", err)
	}
	limits, err := cfg.limits()
	if err != nil {
		return nil, err
	}
	store, err := cfg.openStore(ctx, bank, append([]quiz.Option{quiz.WithLocation(loc), quiz.WithLimits(limits), quiz.WithLog(log)}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: log, bank: bank, store: store, bot: bot.New(store, log)}, nil
}

func (a *app) Close() error { return a.store.Close() }

// openStore opens (and migrates) the database; an error names the setting
// (--db or ASYNCQUIZ_DB) and the database, never its password.
func (c *Config) openStore(ctx context.Context, bank *questions.Bank, opts ...quiz.Option) (*quiz.Store, error) {
	store, err := quiz.Open(ctx, c.DB, bank, opts...)
	var oe *quiz.OpenError
	switch {
	case errors.As(err, &oe):
		// The likely cause and its fix, or another database.
		fix := "point " + c.name("ASYNCQUIZ_DB") + " elsewhere"
		if oe.Fix != "" {
			fix = oe.Fix + ", or " + fix
		}
		msg := fmt.Sprintf("%s: %s; %s", c.named("ASYNCQUIZ_DB", redactDSN(c.DB)), oe.Problem, fix)
		return nil, redactErr(errors.New(msg), c.DB)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", c.named("ASYNCQUIZ_DB", redactDSN(c.DB)), redactErr(err, c.DB))
	}
	return store, nil
}

// redactDSN hides the password of a database URL.
func redactDSN(dsn string) string {
	if !quiz.IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// redactErr replaces any copy of the DSN's password in err's text: drivers
// sometimes echo the connection string.
func redactErr(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}
