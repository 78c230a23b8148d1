package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// execute runs the load from start to report and stops the server.
func (r *runner) execute(ctx context.Context) (*report, error) {
	o := r.o
	began := time.Now()
	rep := &report{}
	s := &rep.Setup
	s.Platform, s.Users, s.Rate, s.Rounds, s.RoundTime, s.Echo = o.platform, o.users, o.rate, o.rounds, o.roundTime.String(), o.echo
	s.DueTogether, s.LatencyMS, s.SlackLimit, s.DiscordLim, s.Target = o.dueTogether, ms(o.latency), o.slackLimit, o.discordLimit, o.target

	if err := r.startServer(ctx); err != nil {
		return nil, err
	}
	switch {
	case r.dsn == "":
		s.Database = "unknown"
	case isPostgres(r.dsn):
		s.Database = "postgres"
	default:
		s.Database = "sqlite"
	}
	idle, _ := readMemory(r.srv.PID)
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		rep.Server.LoadAvg = strings.Join(strings.Fields(string(la))[:3], " ")
	}
	cpu0, self0 := cpuSeconds(r.srv.PID), cpuSeconds(os.Getpid())
	d := newDriver(o, r.srv.URL, r.slackURL, r.sign, r.rec)

	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go r.sample(sampleCtx)
	if r.showProgress() {
		done := make(chan struct{})
		go r.progressLine(sampleCtx, d, done)
		defer func() { stopSampling(); <-done }()
	}

	r.phase.Store("opening rounds")
	if err := d.openRounds(ctx); err != nil {
		return nil, err
	}
	if o.total() > 0 {
		d.plan(o.total())
		r.phase.Store("clicking")
		b0, t0 := machineTicks()
		s0, l0, w0 := cpuSeconds(r.srv.PID), cpuSeconds(os.Getpid()), time.Now()
		d.run(ctx)
		if b1, t1 := machineTicks(); t1 > t0 {
			sv := &rep.Server
			sv.MachineBusy = math.Round((b1 - b0) / (t1 - t0) * 100)
			sv.ClickSeconds = round1(time.Since(w0).Seconds())
			sv.MachineCPU = round1((b1 - b0) / 100)
			sv.ServerCPU, sv.SelfCPU = round1(cpuSeconds(r.srv.PID)-s0), round1(cpuSeconds(os.Getpid())-l0)
			sv.OtherCPU = round1(max(0, sv.MachineCPU-sv.ServerCPU-sv.SelfCPU))
		}
		r.phase.Store("waiting for replies")
		d.drain(ctx)
	} else {
		d.start = time.Now()
	}
	if o.dueTogether || o.waitReveals {
		r.phase.Store("waiting for reveals")
		d.waitReveals(ctx)
	}
	r.phase.Store("reading the database")

	var st *stored
	if r.dsn != "" {
		ids := make([]uint64, len(d.rounds))
		for i, m := range d.rounds {
			ids[i] = m.RoundID
		}
		var err error
		readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		tenants := []quiz.Tenant{{Platform: "slack", Team: slackTeam}, {Platform: "discord", Team: discordGuild}}
		st, err = readStored(readCtx, r.dsn, ids, tenants)
		cancel()
		if err != nil {
			return nil, err
		}
	}
	final, _ := readMemory(r.srv.PID)
	cpu1, self1 := cpuSeconds(r.srv.PID), cpuSeconds(os.Getpid())
	stopSampling()
	summarize(rep, d, r.rec, st)

	sv := &rep.Server
	sv.IdleRSSMB, sv.PeakRSSMB, sv.FinalRSSMB = mb(idle.RSS), mb(final.Peak), mb(final.RSS)
	sv.PeakGoroutines = int(r.peakGo.Load())
	sv.CPUSeconds, sv.LoadgenCPU = round1(cpu1-cpu0), round1(self1-self0)
	if r.srv.cmd != nil {
		if err := r.srv.stop(); err != nil {
			sv.Exit = err.Error()
		}
		r.srv.logs.mu.Lock()
		sv.LogWarnings, sv.LogErrors, sv.FirstErrors = r.srv.logs.warn, r.srv.logs.errs, r.srv.logs.firstErrors
		r.srv.logs.mu.Unlock()
		if o.keep {
			sv.Log = r.dir + "/server.log"
		}
	}
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

// sample scrapes the server's goroutine count every second for its peak.
func (r *runner) sample(ctx context.Context) {
	client := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if n := int64(goroutines(client, r.srv.URL)); n > r.peakGo.Load() {
			r.peakGo.Store(n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *runner) showProgress() bool {
	switch r.o.progress {
	case "on":
		return true
	case "off":
		return false
	}
	f, ok := r.stderr.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine redraws one status line on stderr twice a second.
func (r *runner) progressLine(ctx context.Context, d *driver, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	began := time.Now()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprint(r.stderr, "\r\033[K")
			return
		case <-t.C:
		}
		mem, _ := readMemory(r.srv.PID)
		line := fmt.Sprintf("%5.1fs %-20s sent %d/%d acked %d failed %d replies %d revealed %d/%d rss %.0fMB go %d",
			time.Since(began).Seconds(), r.phase.Load().(string), d.sent.Load(), len(d.clicks), d.acked.Load(), d.failed.Load(),
			r.rec.clickReplyCount(), r.rec.revealedCount(), r.o.rounds, mb(mem.RSS), r.peakGo.Load())
		fmt.Fprint(r.stderr, "\r\033[K"+line)
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
