package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// The whole server in-process on :0 with a fake clock: a Slack command
// posts a round, signed clicks are recorded, and moving the clock past the
// deadline reveals the one message.
func TestMain_SlackRoundEndToEnd(t *testing.T) {
	fake := &fakeSlackAPI{changed: make(chan struct{}, 1)}
	api := httptest.NewServer(fake)
	defer api.Close()
	const secret = "main-test-secret"
	clk := quiztest.NewClock(time.Now().UTC().Truncate(time.Second))
	cfg := loadConfig(func(string) (string, bool) { return "", false })
	cfg.Addr, cfg.DB = "127.0.0.1:0", filepath.Join(t.TempDir(), "q.db")
	cfg.SlackBot, cfg.SlackSigning, cfg.SlackAPIURL = "xoxb-main", secret, api.URL+"/api/"
	m := &Main{Config: cfg, Now: clk.Now}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	addr := m.Addr.String()
	slackCommand(t, addr, secret, "start 1m", api.URL+"/response/1")
	waitFor(t, "the round's post", 10*time.Second, fake.changed, func() bool { p, _ := fake.counts(); return p == 1 })
	waitFor(t, "the start reply", 10*time.Second, fake.changed, func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return fake.replies == 1
	})
	for i := 0; i < 3; i++ {
		payload := fmt.Sprintf(`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U%d","name":"u%d"},`+
			`"channel":{"id":"C1"},"container":{"type":"message","channel_id":"C1"},"response_url":%q,`+
			`"actions":[{"action_id":"a","block_id":"b","type":"button","value":"r:1:A"}]}`, i, i, api.URL+"/response/click")
		if code := slackPost(t, addr, "/slack/interactions", secret, url.Values{"payload": {payload}}.Encode()); code != 200 {
			t.Fatalf("click %d: status %d", i, code)
		}
	}
	if n, err := m.Store.AnswerCount(context.Background(), 1); err != nil || n != 3 {
		t.Fatalf("answers=%d, %v; want 3 committed by the time the clicks were acknowledged", n, err)
	}
	clk.Add(time.Minute + quiz.AnswerGrace) // reveals wait out the answer grace
	m.Wake()
	waitFor(t, "the reveal", 10*time.Second, fake.changed, func() bool { _, u := fake.counts(); return len(u) == 1 })
	posts, ups := fake.counts()
	if posts != 1 || ups[0] != "1700000000.000001" {
		t.Fatalf("posts=%d updates=%v; want the one message revealed", posts, ups)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// Validate reports every problem at once, each naming its variable.
func TestConfig_ValidateReportsEverything(t *testing.T) {
	cfg := loadConfig(func(string) (string, bool) { return "", false })
	cfg.TZ, cfg.LogLevel = "Mars/Olympus", "loud"
	cfg.SlackBot, cfg.SlackApp = "xoxp-user-token", "not-an-app-token"
	cfg.DiscordApp, cfg.DiscordKey = "abc", "zz"
	err := cfg.Validate(true)
	if err == nil {
		t.Fatal("a config full of mistakes was accepted")
	}
	for _, want := range []string{"ASYNCQUIZ_TZ", "ASYNCQUIZ_LOG_LEVEL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
		"DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %s:\n%v", want, err)
		}
	}
	cfg = loadConfig(func(string) (string, bool) { return "", false })
	if err := cfg.Validate(true); err == nil || !strings.Contains(err.Error(), "asyncquiz play") {
		t.Fatalf("no platform: %v", err)
	}
	if err := cfg.Validate(false); err != nil {
		t.Fatalf("play needs no platform: %v", err)
	}
}

// startSlackMain runs Main for Slack against the fake on :0.
func startSlackMain(t *testing.T, signing string, tune func(*Main)) (*Main, *fakeSlackAPI) {
	t.Helper()
	fake := &fakeSlackAPI{changed: make(chan struct{}, 1)}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	cfg := loadConfig(func(string) (string, bool) { return "", false })
	cfg.Addr, cfg.DB = "127.0.0.1:0", filepath.Join(t.TempDir(), "q.db")
	cfg.SlackBot, cfg.SlackSigning, cfg.SlackAPIURL = "xoxb-main", secret(signing), api.URL+"/api/"
	m := &Main{Config: cfg}
	if tune != nil {
		tune(m)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, fake
}

// Connections that trickle their headers (slowloris) are cut after the
// header timeout, so even with every connection slot taken by them a real
// request is answered; idle kept-alive connections give way at once.
func TestMain_SlowClientsCannotStarveRequests(t *testing.T) {
	m, _ := startSlackMain(t, "s", func(m *Main) { m.MaxConns = 2 })
	addr := m.Addr.String()
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	}
	got := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 3 * readHeaderTimeout}).Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("a real request behind two slow clients: %v", err)
		}
	case <-time.After(3 * readHeaderTimeout):
		t.Fatal("a real request was never answered: slow clients held every connection")
	}

	// Two idle kept-alive connections fill the slots; a new client still
	// gets in, because an idle one is closed for it once it has idled
	// for minIdle.
	tr := &http.Transport{MaxIdleConnsPerHost: 10}
	keep := &http.Client{Transport: tr}
	for i := 0; i < 2; i++ {
		resp, err := keep.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	fresh := &http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Second}
	resp, err := fresh.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("a new client with every slot idle: %v", err)
	}
	resp.Body.Close()
}

// A connection that has just gone idle is not closed for a newcomer (its
// client may be sending its next request on it); one idle for minIdle is.
func TestLimitListener_ClosesOnlyLongIdleConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConns(ln, 1)
	defer l.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	l.track(c, http.StateIdle)
	now := time.Now()
	if l.closeOneIdle(now) {
		t.Fatal("closed a connection idle for no time")
	}
	if !l.closeOneIdle(now.Add(minIdle)) {
		t.Fatalf("kept a connection idle for %v", minIdle)
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(make([]byte, 1)); err == nil {
		t.Fatal("the closed connection still reads")
	}
}

// serve bounds the runtime's memory softly unless GOMEMLIMIT says otherwise.
func TestApplyMemoryLimit(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(was)
	debug.SetMemoryLimit(math.MaxInt64)
	applyMemoryLimit(func(string) (string, bool) { return "", false })
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Fatalf("limit %d with GOMEMLIMIT unset, want %d", got, defaultMemoryLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	applyMemoryLimit(func(k string) (string, bool) { return "1GiB", k == "GOMEMLIMIT" })
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit %d with GOMEMLIMIT set; the runtime's own reading must stand", got)
	}
}
