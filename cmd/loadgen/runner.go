package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// runner holds one run's parts: the fakes, the server, the temp dir.
type runner struct {
	o                    *options
	stderr               io.Writer
	dir                  string
	sign                 signer
	rec                  *recorder
	slack                *http.Server
	discord              *http.Server
	slackURL, discordURL string
	srv                  *server
	dsn                  string // the database to read after the run
	dropDB               func() error
	phase                atomic.Value
	peakGo               atomic.Int64
	undo                 []func()
}

func newRun(o *options, stderr io.Writer) (*runner, error) {
	r := &runner{o: o, stderr: stderr, rec: newRecorder()}
	r.phase.Store("starting")
	dir, err := os.MkdirTemp("", "asyncquiz-loadgen-")
	if err != nil {
		return nil, err
	}
	r.dir = dir
	r.sign.slackSecret = o.slackSecret
	if r.sign.slackSecret == "" {
		b := make([]byte, 16)
		rand.Read(b)
		r.sign.slackSecret = hex.EncodeToString(b)
	}
	seed := make([]byte, ed25519.SeedSize)
	if o.discordSeed != "" {
		if seed, err = hex.DecodeString(o.discordSeed); err != nil || len(seed) != ed25519.SeedSize {
			r.cleanup()
			return nil, errors.New("-discord-seed must be 64 hex characters")
		}
	} else {
		rand.Read(seed)
	}
	r.sign.discordKey = ed25519.NewKeyFromSeed(seed)
	slack := newFakeSlack(r.rec, slackToken, o.latency, o.slackLimit)
	discord := newFakeDiscord(r.rec, discordToken, o.latency, o.discordLimit)
	if r.slack, r.slackURL, err = r.listen(o.slackAddr, "slack", slack); err != nil {
		r.cleanup()
		return nil, err
	}
	if r.discord, r.discordURL, err = r.listen(o.discordAddr, "discord", discord); err != nil {
		r.cleanup()
		return nil, err
	}
	return r, nil
}

// listen serves h on addr (loopback), counting connections as name.
func (r *runner) listen(addr, name string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("fake %s: %w", name, err)
	}
	s := &http.Server{Handler: h, ConnState: r.rec.connState(name), ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln)
	r.undo = append(r.undo, func() { s.Close() })
	return s, "http://" + ln.Addr().String(), nil
}

// serverEnv is the environment that points a server at the fakes.
func (r *runner) serverEnv() []string {
	return []string{
		"SLACK_BOT_TOKEN=" + slackToken,
		"SLACK_SIGNING_SECRET=" + r.sign.slackSecret,
		"SLACK_API_URL=" + r.slackURL + "/api/",
		"DISCORD_BOT_TOKEN=" + discordToken,
		"DISCORD_APP_ID=" + discordApp,
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(r.sign.discordKey.Public().(ed25519.PublicKey)),
		"DISCORD_GUILD_ID=" + discordGuild,
		"DISCORD_API_URL=" + r.discordURL + "/api/v10",
		// One person opens every round: the per-person and per-team start
		// limits would refuse all but the first 20.
		"ASYNCQUIZ_LIMITS=starts=0,team_starts=0",
	}
}

func (r *runner) printEnv(w io.Writer) error {
	if r.o.slackAddr == "127.0.0.1:0" || r.o.discordAddr == "127.0.0.1:0" {
		return errors.New("-print-env needs fixed -slack-addr and -discord-addr (the server must find the fakes again)")
	}
	if r.o.slackSecret == "" || r.o.discordSeed == "" {
		return errors.New("-print-env needs -slack-secret and -discord-seed (the next run must sign with them)")
	}
	for _, e := range r.serverEnv() {
		fmt.Fprintf(w, "export %s\n", shellQuote(e))
	}
	return nil
}

func shellQuote(kv string) string {
	k, v, _ := strings.Cut(kv, "=")
	return k + "='" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func (r *runner) cleanup() {
	for i := len(r.undo) - 1; i >= 0; i-- {
		r.undo[i]()
	}
	r.undo = nil
	if r.dropDB != nil && !r.o.keep {
		if err := r.dropDB(); err != nil {
			fmt.Fprintln(r.stderr, "loadgen:", err)
		}
		r.dropDB = nil
	}
	if r.dir != "" {
		if r.o.keep {
			fmt.Fprintln(r.stderr, "loadgen: kept", r.dir)
		} else {
			os.RemoveAll(r.dir)
		}
		r.dir = ""
	}
}

// startServer starts (or, with -target, finds) the server under load.
func (r *runner) startServer(ctx context.Context) error {
	o := r.o
	if o.target != "" {
		r.srv = &server{URL: strings.TrimRight(o.target, "/"), PID: o.pid}
		r.dsn = o.db
		// The server registers its Discord commands with the fake at start,
		// so it may be started only now that the fakes listen.
		fmt.Fprintf(r.stderr, "loadgen: fakes up (Slack %s, Discord %s); waiting up to %v for %s to be ready\n",
			r.slackURL, r.discordURL, o.openTimeout, r.srv.URL)
		if err := waitReady(ctx, r.srv.URL, o.openTimeout); err != nil {
			return err
		}
		if r.srv.PID == 0 {
			u, _ := url.Parse(r.srv.URL)
			port, _ := strconv.Atoi(u.Port())
			r.srv.PID = listenerPID(port)
		}
		return nil
	}
	bin := o.bin
	if bin == "" {
		var err error
		if bin, err = buildServer(ctx, r.dir); err != nil {
			return err
		}
	}
	switch {
	case isPostgres(o.db):
		dsn, drop, err := freshSchema(ctx, o.db)
		if err != nil {
			return err
		}
		r.dsn, r.dropDB = dsn, drop
	case o.db != "":
		if _, err := os.Stat(o.db); err == nil {
			return fmt.Errorf("-db %s exists; loadgen runs on a fresh database", o.db)
		}
		r.dsn = o.db
	default:
		r.dsn = filepath.Join(r.dir, "loadgen.db")
	}
	env := append(r.serverEnv(), "ASYNCQUIZ_ADDR=127.0.0.1:0", "ASYNCQUIZ_DB="+r.dsn, "ASYNCQUIZ_LOG_LEVEL="+o.logLevel)
	s, err := startServer(ctx, bin, env, filepath.Join(r.dir, "server.log"))
	if err != nil {
		return err
	}
	r.srv = s
	r.undo = append(r.undo, func() { s.stop() })
	return nil
}

func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q: loadgen listens on loopback only (127.0.0.1)", addr)
	}
	return nil
}

func loopbackURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-target %q: want http://127.0.0.1:PORT", s)
	}
	if u.Hostname() == "localhost" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-target %q: loadgen drives loopback servers only (127.0.0.1)", s)
	}
	return nil
}
