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
	"runtime/debug"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/schedule"
)

// shutdownGrace bounds how long in-flight requests and reveals may take
// after SIGTERM or SIGINT.
const shutdownGrace = 20 * time.Second

func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.commonFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, c.flagUsage(fs, "addr", "ASYNCQUIZ_ADDR"))
	fs.Var(commaList{&c.Admins}, "admins", c.flagUsage(fs, "admins", "ASYNCQUIZ_ADMINS"))
	fs.StringVar(&c.Limits, "limits", c.Limits, c.flagUsage(fs, "limits", "ASYNCQUIZ_LIMITS"))
	fs.Var(secretFlag{&c.SlackBot}, "slack-bot-token", c.flagUsage(fs, "slack-bot-token", "SLACK_BOT_TOKEN"))
	fs.Var(secretFlag{&c.SlackSigning}, "slack-signing-secret", c.flagUsage(fs, "slack-signing-secret", "SLACK_SIGNING_SECRET"))
	fs.Var(secretFlag{&c.SlackApp}, "slack-app-token", c.flagUsage(fs, "slack-app-token", "SLACK_APP_TOKEN"))
	fs.StringVar(&c.SlackAPIURL, "slack-api-url", c.SlackAPIURL, c.flagUsage(fs, "slack-api-url", "SLACK_API_URL"))
	fs.Var(secretFlag{&c.DiscordBot}, "discord-bot-token", c.flagUsage(fs, "discord-bot-token", "DISCORD_BOT_TOKEN"))
	fs.StringVar(&c.DiscordApp, "discord-app-id", c.DiscordApp, c.flagUsage(fs, "discord-app-id", "DISCORD_APP_ID"))
	fs.StringVar(&c.DiscordKey, "discord-public-key", c.DiscordKey, c.flagUsage(fs, "discord-public-key", "DISCORD_PUBLIC_KEY"))
	fs.StringVar(&c.DiscordGuild, "discord-guild-id", c.DiscordGuild, c.flagUsage(fs, "discord-guild-id", "DISCORD_GUILD_ID"))
	fs.BoolVar(&c.DiscordGW, "discord-gateway", c.DiscordGW, c.flagUsage(fs, "discord-gateway", "DISCORD_GATEWAY"))
	fs.StringVar(&c.DiscordAPI, "discord-api-url", c.DiscordAPI, c.flagUsage(fs, "discord-api-url", "DISCORD_API_URL"))
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

func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("serve", "[flags]", "Run the bot for Slack and/or Discord. Every flag has an environment variable of the same\n"+
		"meaning, named in parentheses; the flag overrides it.")
	cfg.serveFlags(fs)
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if err := cfg.Validate(true); err != nil {
		return err
	}
	applyMemoryLimit(os.LookupEnv)
	level, _ := cfg.logLevel()
	m := &Main{Config: cfg, Log: newLogger(stderr, level)}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	err := m.Wait(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return err
}

// defaultMemoryLimit is the Go runtime's soft memory limit for serve when
// GOMEMLIMIT does not set one. Near it the collector runs sooner and gives
// freed memory back to the system, so a burst of clicks does not leave the
// process holding its peak: measured with cmd/loadgen at 8,000 and 12,000
// clicks/s (above what two cores record), peak RSS was 116-132 MB without
// it and 81-97 MB with it; at 5,000 clicks/s the live heap is about 20 MB,
// well under it, so the collector does no extra work there. It is soft: a
// process that needs more uses more.
const defaultMemoryLimit = 60 << 20

// applyMemoryLimit sets defaultMemoryLimit unless GOMEMLIMIT is set (the
// runtime has read that one itself).
func applyMemoryLimit(lookup func(string) (string, bool)) {
	if _, set := lookup("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// Main is the serving process, wired by hand. Tests set Config (Addr ":0",
// a temporary DB) and Now, call Run, talk to Addr, and Close.
type Main struct {
	Config Config
	Now    func() time.Time // the clock for the store and the loops; nil for time.Now
	Log    *slog.Logger
	// MaxConns bounds open HTTP connections; 0 derives it from the file
	// descriptor limit.
	MaxConns int

	// Set by Run.
	Store *quiz.Store
	Bot   *bot.Bot
	Addr  net.Addr

	srv     *http.Server
	rev     *schedule.Revealer
	stop    context.CancelFunc
	wg      sync.WaitGroup
	errc    chan error
	waits   []func(context.Context) error
	closing sync.Once
	closed  error

	readyMu      sync.Mutex
	lastNotReady string
}

// onClose adds work that Close waits for (within its grace), after the
// HTTP server stopped and before the store closes.
func (m *Main) onClose(wait func(context.Context) error) { m.waits = append(m.waits, wait) }

// Run validates the configuration, opens the store, starts the platforms,
// the loops and the HTTP server, and returns once it is serving (or with
// the first problem). Call Close in either case.
func (m *Main) Run(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.DiscardHandler)
	}
	if err := m.Config.Validate(true); err != nil {
		return err
	}
	var opts []quiz.Option
	if m.Now != nil {
		opts = append(opts, quiz.WithClock(m.Now))
	}
	a, err := newApp(ctx, m.Config, m.Log, opts...)
	if err != nil {
		return err
	}
	m.Store, m.Bot = a.store, a.bot

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", m.readyz)
	mux.Handle("GET /metrics", metrics.Handler())
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stop = stop
	var runners []func(context.Context) error
	for _, p := range platforms {
		if !p.configured(m.Config) {
			continue
		}
		run, err := p.start(runCtx, m, mux)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if run != nil {
			runners = append(runners, run)
		}
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", m.Config.name("ASYNCQUIZ_ADDR"), m.Config.Addr, err)
	}
	m.Addr = ln.Addr()
	if m.MaxConns <= 0 {
		m.MaxConns = maxConns()
	}
	limited := limitConns(ln, m.MaxConns)
	m.srv = newHTTPServer(metrics.Middleware(mux), m.Log, limited)
	ln = limited
	m.Log.Info("Serving", "addr", m.Addr.String())

	m.errc = make(chan error, len(runners)+2)
	m.goRun(func() error {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	rev := &schedule.Revealer{Rounds: m.Bot.Rounds(), Store: m.Store, Log: m.Log}
	m.rev = rev
	sched := &schedule.Scheduler{Rounds: m.Bot.Rounds(), Store: m.Store, Log: m.Log}
	m.Bot.Rounds().SetHooks(bot.Hooks{RoundsChanged: rev.RoundsChanged, SchedulesChanged: sched.SchedulesChanged})
	m.goRun(func() error { return rev.Run(runCtx) })
	m.goRun(func() error { return sched.Run(runCtx) })
	for _, run := range runners {
		m.goRun(func() error {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				return err
			}
			return nil
		})
	}
	return nil
}

func (m *Main) goRun(f func() error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := f(); err != nil {
			m.errc <- err
		}
	}()
}

// Wake asks the reveal loop to look at once; a test calls it after moving
// its clock (the loop sleeps on the real one).
func (m *Main) Wake() { m.rev.RoundsChanged() }

// Wait blocks until ctx is done (nil) or a part of the server fails (its
// error).
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		m.Log.Info("Shutting down")
		return nil
	case err := <-m.errc:
		m.Log.Error("Stopping after a failure", "error", err)
		return err
	}
}

// Close stops accepting requests and finishes those in flight, stops the
// loops and the platforms, waits for acknowledged work, and closes the
// store, all within shutdownGrace. It is safe to call more than once.
func (m *Main) Close() error {
	m.closing.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if m.srv != nil {
			m.srv.SetKeepAlivesEnabled(false)
			select {
			case <-time.After(shutdownDrain):
			case <-ctx.Done():
			}
			if err := m.srv.Shutdown(ctx); err != nil {
				m.Log.Warn("HTTP shutdown incomplete", "error", err)
			}
		}
		if m.stop != nil {
			m.stop()
		}
		done := make(chan struct{})
		go func() {
			m.wg.Wait()
			for _, w := range m.waits {
				if err := w(ctx); err != nil {
					m.Log.Warn("Background work did not finish", "error", err)
				}
			}
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			m.Log.Warn("Background work did not finish in time")
		}
		if m.Store != nil {
			m.closed = m.Store.Close()
		}
	})
	return m.closed
}

// readyz says only ready or not to the world: the reasons (the database's
// address, a transport's error) go to the log, rate-limited by change.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := m.Store.Ready(ctx)
	if err == nil {
		err = m.Bot.Transports().Ready()
	}
	m.noteReadiness(err)
	if err != nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// noteReadiness logs a change of readiness once, with its reason.
func (m *Main) noteReadiness(err error) {
	why := ""
	if err != nil {
		why = err.Error()
	}
	m.readyMu.Lock()
	defer m.readyMu.Unlock()
	if why == m.lastNotReady {
		return
	}
	m.lastNotReady = why
	if err != nil {
		m.Log.Warn("Not ready", "reason", why)
	} else {
		m.Log.Info("Ready again")
	}
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
