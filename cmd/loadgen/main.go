// Command loadgen puts an asyncquiz server under the load of a big channel
// and reports what happened, on one machine, over loopback only.
//
// It starts fake Slack and Discord APIs on 127.0.0.1 that speak their wire
// formats and record every call (chat.postMessage, chat.update,
// chat.postEphemeral, conversations.history, response_url posts; Discord
// channel messages, message edits, command registration, interaction
// callbacks and webhook edits), optionally slow (-latency) and rate
// limited as the platforms are: Slack's one write a second per channel and
// Discord's 50 requests a second, answered with 429 and Retry-After. It
// builds ./cmd/asyncquiz (or runs -bin) as `asyncquiz serve` on a fresh
// SQLite file or a fresh schema of -db postgres://..., pointed at the
// fakes, with a generated Slack signing secret and Discord Ed25519 key
// pair; or it drives a server already running (-target).
//
// It opens -rounds rounds with signed /asyncquiz start commands, one per
// channel, then sends signed button clicks from -users distinct people,
// open-loop at -rate clicks a second (each click leaves at its time, how
// ever slow the server is), and waits for the acknowledgements and the
// private replies. Click k goes to round k mod rounds from user
// (k div rounds) mod users; there are -clicks clicks, or rate x -duration,
// or by default one per user and round. With -due-together every round is
// opened to close in the same wall-clock second and loadgen waits for the
// reveals.
//
// The report: clicks sent, acknowledged (HTTP 200), recorded (counted in
// the database after the run), duplicates and lost answers; ack latency
// and time to each person's private reply (p50/p90/p99/max); throughput;
// platform calls by method and 429s; TCP connections the server opened to
// the fakes; reveal lateness and second reveals; the server's peak (VmHWM)
// and idle RSS and peak goroutines. -json prints it as JSON. A progress
// line runs on stderr when it is a terminal.
//
// Examples:
//
//	go run ./cmd/loadgen -users 10000 -rate 3000
//	go run ./cmd/loadgen -users 10000 -rate 3000 -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./cmd/loadgen -rounds 2000 -due-together -round-time 60s -clicks 0 -latency 100ms
//	go run ./cmd/loadgen -platform both -rate 500 -duration 30s -rounds 4
//
// Against a server of your own (loopback only): print the environment it
// needs with -print-env, run loadgen with the same -slack-secret,
// -discord-seed, -slack-addr and -discord-addr plus -target, -db (to count
// answers), and start the server with that
// environment once loadgen says the fakes are up (it registers its Discord
// commands with them at start):
//
//	go run ./cmd/loadgen -print-env -slack-secret S -discord-seed HEX -slack-addr 127.0.0.1:39001 -discord-addr 127.0.0.1:39002 > lg.env
//	go run ./cmd/loadgen -target http://127.0.0.1:8080 -slack-secret S -discord-seed HEX -slack-addr 127.0.0.1:39001 -discord-addr 127.0.0.1:39002 -db asyncquiz.db
//	(. ./lg.env; ASYNCQUIZ_ADDR=127.0.0.1:8080 asyncquiz serve)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

type options struct {
	platform                   string
	users, clicks, rounds      int
	rate, openRate             float64
	duration, roundTime        time.Duration
	dueTogether, waitReveals   bool
	latency                    time.Duration
	slackLimit, discordLimit   bool
	db, bin                    string
	target, slackSecret        string
	discordSeed                string
	slackAddr, discordAddr     string
	pid                        int
	timeout, drain, revealWait time.Duration
	openTimeout                time.Duration
	json, keep, printEnv, echo bool
	progress, logLevel         string
	cpuProfile                 string
}

func (o *options) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.platform, "platform", "slack", "where the clicks come from: slack, discord or both (rounds alternate)")
	fs.IntVar(&o.users, "users", 10000, "distinct people clicking")
	fs.Float64Var(&o.rate, "rate", 1000, "clicks per second, open-loop")
	fs.IntVar(&o.clicks, "clicks", -1, "clicks to send; default one per user and round (or rate x -duration); 0 for none")
	fs.DurationVar(&o.duration, "duration", 0, "send clicks for this long (instead of -clicks)")
	fs.IntVar(&o.rounds, "rounds", 1, "rounds to open, one per channel; clicks are spread over them")
	fs.DurationVar(&o.roundTime, "round-time", 10*time.Minute, "each round's duration (the start command's), 5s to 7d")
	fs.BoolVar(&o.dueTogether, "due-together", false, "open the rounds so all close in the same second, and wait for their reveals")
	fs.BoolVar(&o.waitReveals, "wait-reveals", false, "after the clicks, wait for every round's reveal")
	fs.BoolVar(&o.echo, "echo", true, "echo the clicked message (its blocks, or the Discord message) in each click, as the platforms do")
	fs.Float64Var(&o.openRate, "open-rate", 200, "start commands per second")
	fs.DurationVar(&o.latency, "latency", 0, "delay of every fake platform call (e.g. 100ms)")
	fs.BoolVar(&o.slackLimit, "slack-limit", true, "hold Slack chat.postMessage/chat.update to 1 a second per channel (429 + Retry-After)")
	fs.BoolVar(&o.discordLimit, "discord-limit", true, "hold Discord's bot requests to 50 a second (429 + Retry-After + JSON body)")
	fs.StringVar(&o.db, "db", "", "database: empty for a fresh SQLite file; postgres://... for a fresh schema in it; with -target, the server's, to count answers")
	fs.StringVar(&o.bin, "bin", "", "asyncquiz binary to run (default: go build ./cmd/asyncquiz into a temp dir)")
	fs.StringVar(&o.target, "target", "", "drive this running server (http://127.0.0.1:PORT) instead of starting one")
	fs.StringVar(&o.slackSecret, "slack-secret", "", "Slack signing secret (default: generated; set it with -target)")
	fs.StringVar(&o.discordSeed, "discord-seed", "", "Discord Ed25519 private key seed, 64 hex (default: generated; set it with -target)")
	fs.StringVar(&o.slackAddr, "slack-addr", "127.0.0.1:0", "address of the fake Slack API")
	fs.StringVar(&o.discordAddr, "discord-addr", "127.0.0.1:0", "address of the fake Discord API")
	fs.IntVar(&o.pid, "pid", 0, "with -target: the server's process id, for its memory (default: the process listening on the target port)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up on a request after this long")
	fs.DurationVar(&o.drain, "drain", 60*time.Second, "after the clicks, wait this long at most for the private replies")
	fs.DurationVar(&o.revealWait, "reveal-wait", 10*time.Minute, "wait this long at most for the reveals")
	fs.DurationVar(&o.openTimeout, "open-timeout", 2*time.Minute, "wait this long at most for the rounds to be posted")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.progress, "progress", "auto", "progress line on stderr: auto (on a terminal), on, off")
	fs.StringVar(&o.logLevel, "log-level", "info", "the started server's ASYNCQUIZ_LOG_LEVEL")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp dir (server log, SQLite file) and the PostgreSQL schema")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write this tool's own CPU profile to the file (is the generator the bottleneck?)")
	fs.BoolVar(&o.printEnv, "print-env", false, "print the environment a -target server needs for these fakes and keys, and exit")
}

func (o *options) validate() error {
	var errs []error
	switch o.platform {
	case "slack", "discord", "both":
	default:
		errs = append(errs, fmt.Errorf("-platform %q: want slack, discord or both", o.platform))
	}
	if o.users < 1 || o.rounds < 1 {
		errs = append(errs, errors.New("-users and -rounds must be at least 1"))
	}
	if o.rate <= 0 || o.openRate <= 0 {
		errs = append(errs, errors.New("-rate and -open-rate must be positive"))
	}
	if o.roundTime < 5*time.Second || o.roundTime > 7*24*time.Hour {
		errs = append(errs, errors.New("-round-time must be 5s to 7d"))
	}
	for _, a := range []string{o.slackAddr, o.discordAddr} {
		if err := loopbackAddr(a); err != nil {
			errs = append(errs, err)
		}
	}
	if o.target != "" {
		if err := loopbackURL(o.target); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// total is the number of clicks to send.
func (o *options) total() int {
	switch {
	case o.clicks >= 0:
		return o.clicks
	case o.duration > 0:
		return int(o.rate * o.duration.Seconds())
	}
	return o.users * o.rounds
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &options{}
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.flags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	if err := o.validate(); err != nil {
		return err
	}
	r, err := newRun(o, stderr)
	if err != nil {
		return err
	}
	defer r.cleanup()
	if o.printEnv {
		return r.printEnv(stdout)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := r.execute(ctx)
	if err != nil {
		return err
	}
	if o.json {
		return rep.writeJSON(stdout)
	}
	rep.writeText(stdout)
	return nil
}

const usage = `Usage: go run ./cmd/loadgen [flags]

Starts fake Slack and Discord APIs and asyncquiz serve on 127.0.0.1, opens
rounds, sends signed clicks from distinct users open-loop at a rate, and
reports acks, recorded answers, latencies, platform calls, 429s, TCP
connections, reveal lateness and the server's memory. See the package
comment (go doc ./cmd/loadgen) for examples.

`
