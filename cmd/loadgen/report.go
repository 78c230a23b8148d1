package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// report is the result of a run; -json prints it as is.
type report struct {
	Setup struct {
		Platform    string  `json:"platform"`
		Database    string  `json:"database"` // sqlite, postgres, or unknown (-target without -db)
		Users       int     `json:"users"`
		Rate        float64 `json:"rate"`
		Rounds      int     `json:"rounds"`
		RoundTime   string  `json:"round_time"`
		Echo        bool    `json:"echo"`
		DueTogether bool    `json:"due_together"`
		LatencyMS   float64 `json:"platform_latency_ms"`
		SlackLimit  bool    `json:"slack_limit"`
		DiscordLim  bool    `json:"discord_limit"`
		Target      string  `json:"target,omitempty"`
	} `json:"setup"`
	Clicks struct {
		Planned  int            `json:"planned"`
		Sent     int            `json:"sent"`
		Acked    int            `json:"acked"`
		Failed   int            `json:"failed"`
		Errors   map[string]int `json:"errors,omitempty"`
		LateAcks int            `json:"acked_after_3s"`
		// TCP connections the clicks were sent on (to the server).
		ConnsDialed   int64 `json:"connections_dialed"`
		ConnsPeakOpen int64 `json:"connections_peak_open"`
		Repeats       int   `json:"repeat_clicks"` // planned: a user clicking a round again
		Bytes         int   `json:"mean_bytes"`    // of a click's body
		// From the database (-1: not read).
		Recorded   int `json:"recorded"`
		Duplicates int `json:"duplicates"` // rows beyond one per round and user
		Lost       int `json:"lost"`       // told "Locked in" but not in the database
		Unexpected int `json:"unexpected"` // rows for a round and user never clicked
		// Private replies, by what they said.
		Locked       int      `json:"replies_locked_in"`
		Already      int      `json:"replies_already_answered"`
		Other        int      `json:"replies_other"`
		NoReply      int      `json:"acked_without_reply"`
		ExtraReplies int      `json:"extra_replies"`
		OtherSamples []string `json:"other_samples,omitempty"`
	} `json:"clicks"`
	AckLatency   dist `json:"ack_latency"`
	PrivateReply dist `json:"private_reply"`
	SendLag      dist `json:"send_lag"` // how late the generator sent clicks
	Throughput   struct {
		Sent         float64 `json:"sent_per_s"`
		Acked        float64 `json:"acked_per_s"`
		RecordedMean float64 `json:"recorded_per_s_mean"`
		RecordedPeak int     `json:"recorded_per_s_peak"` // the busiest wall-clock second
	} `json:"throughput"`
	Platform struct {
		Calls       map[string]int      `json:"calls"`
		RateLimited map[string]int      `json:"rate_limited"`
		Connections map[string]connJSON `json:"connections"`
	} `json:"platform"`
	Reveals struct {
		Rounds         int     `json:"rounds"`
		Revealed       int     `json:"revealed"`
		RevealedTwice  int     `json:"revealed_twice"`
		Refreshes      int     `json:"count_refreshes"`
		Lateness       dist    `json:"lateness"`
		DeadlineSpread float64 `json:"deadline_spread_ms"`
		Source         string  `json:"deadline_source"` // database or message (1 s resolution)
	} `json:"reveals"`
	Server struct {
		PeakRSSMB      float64 `json:"peak_rss_mb"`
		IdleRSSMB      float64 `json:"idle_rss_mb"`
		FinalRSSMB     float64 `json:"final_rss_mb"`
		PeakGoroutines int     `json:"peak_goroutines"`
		CPUSeconds     float64 `json:"cpu_s"`                      // the server's, during the run
		LoadgenCPU     float64 `json:"loadgen_cpu_s"`              // this tool's own, fakes included
		MachineBusy    float64 `json:"machine_busy_pct,omitempty"` // all cores, while clicking
		// CPU seconds while clicking: everything on the machine, the server,
		// this tool, and the rest (the database server, other work on the
		// box: the measurement is clean only when OtherCPU is small).
		ClickSeconds float64  `json:"click_phase_s,omitempty"`
		MachineCPU   float64  `json:"click_machine_cpu_s,omitempty"`
		ServerCPU    float64  `json:"click_server_cpu_s,omitempty"`
		SelfCPU      float64  `json:"click_loadgen_cpu_s,omitempty"`
		OtherCPU     float64  `json:"click_other_cpu_s,omitempty"`
		LoadAvg      string   `json:"loadavg_at_start,omitempty"`
		LogWarnings  int      `json:"log_warnings"`
		LogErrors    int      `json:"log_errors"`
		FirstErrors  []string `json:"first_errors,omitempty"`
		Exit         string   `json:"exit,omitempty"`
		Log          string   `json:"log,omitempty"`
	} `json:"server"`
	Seconds float64 `json:"seconds"`
}

type connJSON struct {
	Accepted      int `json:"accepted"`
	PeakOpen      int `json:"peak_open"`
	DistinctPorts int `json:"distinct_remote_ports"`
}

// dist is a latency distribution in milliseconds.
type dist struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func distOf(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return ms(ds[max(0, min(i, len(ds)-1))])
	}
	return dist{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(ds[len(ds)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

func mb(b int64) float64 { return math.Round(float64(b)/(1<<20)*10) / 10 }

func (d dist) String() string {
	if d.N == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (n=%d)", fmtMS(d.P50), fmtMS(d.P90), fmtMS(d.P99), fmtMS(d.Max), d.N)
}

func fmtMS(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1fs", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

// classify says what a private reply told the person.
func classify(text string) string {
	switch {
	case strings.Contains(text, "Locked in"):
		return "locked"
	case strings.Contains(text, "already answered"):
		return "already"
	}
	return "other"
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeText(w io.Writer) {
	c := &r.Clicks
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	s := &r.Setup
	p("asyncquiz loadgen: %s on %s, %d users, %g clicks/s, %d rounds (%s), platform latency %gms",
		s.Platform, s.Database, s.Users, s.Rate, s.Rounds, s.RoundTime, s.LatencyMS)
	p("clicks     sent %d of %d (%d bytes each), acked %d, failed %d, acked after 3 s %d, repeat clicks %d",
		c.Sent, c.Planned, c.Bytes, c.Acked, c.Failed, c.LateAcks, c.Repeats)
	p("           over %d TCP connections to the server (%d open at most)", c.ConnsDialed, c.ConnsPeakOpen)
	if len(c.Errors) > 0 {
		p("           errors %v", c.Errors)
	}
	if c.Recorded >= 0 {
		p("database   recorded %d, duplicates %d, lost %d, unexpected %d", c.Recorded, c.Duplicates, c.Lost, c.Unexpected)
	} else {
		p("database   not read (pass -db to count what was recorded)")
	}
	p("replies    locked in %d, already answered %d, other %d, acked without reply %d, extra %d", c.Locked, c.Already, c.Other, c.NoReply, c.ExtraReplies)
	for _, o := range c.OtherSamples {
		p("           other: %s", o)
	}
	p("ack        %s", r.AckLatency)
	p("private    %s", r.PrivateReply)
	p("send lag   %s", r.SendLag)
	t := r.Throughput
	p("throughput sent %.0f/s, acked %.0f/s, recorded %.0f/s mean, %d in the busiest second", t.Sent, t.Acked, t.RecordedMean, t.RecordedPeak)
	p("platform   calls %s", sortedCounts(r.Platform.Calls))
	p("           429s %s", sortedCounts(r.Platform.RateLimited))
	for name, cj := range r.Platform.Connections {
		p("           TCP connections to fake %s: %d accepted (%d distinct ports), %d open at most", name, cj.Accepted, cj.DistinctPorts, cj.PeakOpen)
	}
	v := &r.Reveals
	p("reveals    %d of %d rounds revealed, %d twice, %d count refreshes; lateness %s (deadline from %s, spread %s)",
		v.Revealed, v.Rounds, v.RevealedTwice, v.Refreshes, v.Lateness, v.Source, fmtMS(v.DeadlineSpread))
	sv := &r.Server
	p("server     peak RSS %.1f MB, idle %.1f MB, at the end %.1f MB, goroutines at most %d; log: %d warnings, %d errors",
		sv.PeakRSSMB, sv.IdleRSSMB, sv.FinalRSSMB, sv.PeakGoroutines, sv.LogWarnings, sv.LogErrors)
	p("cpu        server %.1fs, loadgen and fakes %.1fs over the run; load average at the start %s", sv.CPUSeconds, sv.LoadgenCPU, sv.LoadAvg)
	if c.Sent > 0 {
		p("           while clicking (%.1fs): machine %.0f%% busy, %.1f CPU-s = server %.1f + loadgen %.1f + other processes %.1f",
			sv.ClickSeconds, sv.MachineBusy, sv.MachineCPU, sv.ServerCPU, sv.SelfCPU, sv.OtherCPU)
	}
	for _, e := range sv.FirstErrors {
		p("           error: %s", e)
	}
	if sv.Exit != "" {
		p("           exit: %s", sv.Exit)
	}
	p("took       %.1fs", r.Seconds)
}

func sortedCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
