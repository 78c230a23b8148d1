package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/schedule"
)

// shutdownGrace bounds how long in-flight requests and reveals may take
// after SIGTERM or SIGINT.
const shutdownGrace = 20 * time.Second

// platformStarter wires one platform into the server: it registers the
// platform with the bot and its routes on mux, and may return a background
// runner (Socket Mode, the Discord gateway) that stops when ctx is done.
type platformStarter func(ctx context.Context, a *app, mux *http.ServeMux) (run func(ctx context.Context) error, err error)

func (c *config) serveFlags(fs *flag.FlagSet) {
	c.commonFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (ASYNCQUIZ_ADDR)")
	fs.Var(secretFlag{&c.SlackBot}, "slack-bot-token", "Slack bot token, xoxb-... (SLACK_BOT_TOKEN)")
	fs.Var(secretFlag{&c.SlackSigning}, "slack-signing-secret", "Slack signing secret (SLACK_SIGNING_SECRET)")
	fs.Var(secretFlag{&c.SlackApp}, "slack-app-token", "Slack app-level token for Socket Mode, xapp-... (SLACK_APP_TOKEN)")
	fs.StringVar(&c.SlackAPIURL, "slack-api-url", c.SlackAPIURL, "Slack Web API base URL (SLACK_API_URL)")
	fs.Var(secretFlag{&c.DiscordBot}, "discord-bot-token", "Discord bot token (DISCORD_BOT_TOKEN)")
	fs.StringVar(&c.DiscordApp, "discord-app-id", c.DiscordApp, "Discord application id (DISCORD_APP_ID)")
	fs.StringVar(&c.DiscordKey, "discord-public-key", c.DiscordKey, "Discord application public key, hex (DISCORD_PUBLIC_KEY)")
	fs.StringVar(&c.DiscordGuild, "discord-guild-id", c.DiscordGuild, "register commands in this guild only (DISCORD_GUILD_ID)")
	fs.BoolVar(&c.DiscordGW, "discord-gateway", c.DiscordGW, "receive interactions over the gateway (DISCORD_GATEWAY)")
	fs.StringVar(&c.DiscordAPI, "discord-api-url", c.DiscordAPI, "Discord REST base URL (DISCORD_API_URL)")
}

// secretFlag sets a secret without ever printing its value in -help.
type secretFlag struct{ dst *secret }

func (s secretFlag) String() string {
	if s.dst == nil {
		return ""
	}
	return s.dst.String()
}
func (s secretFlag) Set(v string) error { *s.dst = secret(v); return nil }

func runServe(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.serveFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: asyncquiz serve [flags]\n\nRun the bot for Slack and/or Discord. Every flag has an environment variable of the same meaning.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	starters, err := cfg.platforms()
	if err != nil {
		return err
	}
	level, err := cfg.logLevel()
	if err != nil {
		return err
	}
	log := newLogger(stderr, level)
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return serve(ctx, a, starters)
}

// platforms validates the platform settings and returns a starter for each
// configured platform.
func (c *config) platforms() ([]platformStarter, error) {
	var out []platformStarter
	if c.slackConfigured() {
		s, err := c.slackStarter()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if c.discordConfigured() {
		s, err := c.discordStarter()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("no platform configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, " +
			"or DISCORD_BOT_TOKEN, DISCORD_APP_ID and DISCORD_PUBLIC_KEY for Discord; to try the quiz without either, run `asyncquiz play`")
	}
	return out, nil
}

// serve runs the HTTP server, the platforms and the reveal loop until ctx is
// done, then shuts down within shutdownGrace.
func serve(ctx context.Context, a *app, starters []platformStarter) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", metrics.Handler())

	var runners []func(context.Context) error
	for _, start := range starters {
		run, err := start(ctx, a, mux)
		if err != nil {
			return err
		}
		if run != nil {
			runners = append(runners, run)
		}
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("ASYNCQUIZ_ADDR: listen on %s: %w", a.cfg.Addr, err)
	}
	srv := &http.Server{Handler: metrics.Middleware(mux), ReadHeaderTimeout: 10 * time.Second}
	a.log.Info("Serving", "addr", ln.Addr().String())

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errc := make(chan error, len(runners)+2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	rev := &schedule.Revealer{Rounds: a.bot.Rounds(), Store: a.store, Log: a.log}
	sched := &schedule.Scheduler{Rounds: a.bot.Rounds(), Store: a.store, Log: a.log}
	a.bot.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged, SchedulesChanged: sched.SchedulesChanged})
	wg.Add(1)
	go func() { defer wg.Done(); rev.Run(runCtx) }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := sched.Run(runCtx); err != nil {
			errc <- err
		}
	}()
	for _, run := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				errc <- err
			}
		}()
	}

	var runErr error
	select {
	case <-ctx.Done():
		a.log.Info("Shutting down")
	case runErr = <-errc:
		a.log.Error("Stopping after a failure", "error", runErr)
	}
	stop()
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.log.Warn("HTTP shutdown incomplete", "error", err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); a.drain(shutCtx); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		a.log.Warn("Background work did not finish in time")
	}
	return runErr
}

func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.ready(ctx); err != nil {
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
