package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// fakeSlackAPI records chat.postMessage and chat.update calls.
type fakeSlackAPI struct {
	mu      sync.Mutex
	replies int
	posts   int
	updates []string // ts of each update
	changed chan struct{}
}

func (f *fakeSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/chat.postMessage":
		f.posts++
		fmt.Fprintf(w, `{"ok":true,"channel":"C1","ts":"1700000000.%06d"}`, f.posts)
	case "/api/chat.update":
		f.updates = append(f.updates, r.PostForm.Get("ts"))
		fmt.Fprint(w, `{"ok":true}`)
	case "/api/auth.test": // who the bot token belongs to: the tenant
		fmt.Fprint(w, `{"ok":true,"team_id":"T1","bot_id":"B1"}`)
		return
	default: // response_url
		f.replies++
		io.WriteString(w, `{"ok":true}`)
	}
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fakeSlackAPI) counts() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts, append([]string(nil), f.updates...)
}

// waitFor waits until cond holds, checking whenever the fake sees a call and
// at least every 200 ms, or fails at the deadline.
func waitFor(t *testing.T, what string, d time.Duration, changed <-chan struct{}, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-changed:
		case <-tick.C:
		}
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a subprocess's stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A round open when the process is killed is revealed after the restart,
// exactly once; SIGTERM then stops the server cleanly. Along the way the
// logs (JSON, since stderr is not a terminal) and /metrics are checked for
// the secrets given in the environment.
func TestServe_KilledWithOpenRound(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	fake := &fakeSlackAPI{changed: make(chan struct{}, 1)}
	api := httptest.NewServer(fake)
	defer api.Close()
	addr := freeAddr(t)
	const secret = "restart-test-secret"
	var logs lockedBuffer
	start := func() *exec.Cmd {
		return startSlackServe(t, bin, addr, filepath.Join(dir, "q.db"), api.URL, secret, &logs)
	}

	first := start()
	slackCommand(t, addr, secret, "start 5s", api.URL+"/response/1")
	// The private reply comes after the round is posted and recorded.
	waitFor(t, "the start reply", 10*time.Second, fake.changed, func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return fake.replies == 1
	})

	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	if _, ups := fake.counts(); len(ups) != 0 {
		t.Fatalf("revealed before the kill: %v", ups)
	}

	second := start()
	waitFor(t, "the reveal after restart", 20*time.Second, fake.changed, func() bool { _, u := fake.counts(); return len(u) > 0 })
	// The reveal's metrics are recorded just after the edit returns.
	var metricsText []byte
	waitFor(t, "reveal metrics", 10*time.Second, nil, func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		metricsText, _ = io.ReadAll(resp.Body)
		return strings.Contains(string(metricsText), `asyncquiz_rounds_revealed_total{platform="slack"} 1`)
	})
	for _, want := range []string{"asyncquiz_platform_api_calls_total", "asyncquiz_reveal_lateness_seconds", "asyncquiz_ack_duration_seconds"} {
		if !strings.Contains(string(metricsText), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	second.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not exit 0 on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		second.Process.Kill()
		t.Fatal("serve did not stop after SIGTERM")
	}
	// Secrets given in the environment appear in no log line and no metric.
	for _, s := range []string{"xoxb-restart", secret} {
		if strings.Contains(logs.String(), s) || strings.Contains(string(metricsText), s) {
			t.Errorf("secret %q leaked into logs or /metrics", s)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"Round revealed"`) || !strings.Contains(logs.String(), `"round_id":1`) {
		t.Errorf("logs lack the reveal line with its round id:\n%s", logs.String())
	}
	posts, ups := fake.counts()
	if posts != 1 || len(ups) != 1 || ups[0] != "1700000000.000001" {
		t.Fatalf("posts=%d updates=%v, want one post and one reveal of it", posts, ups)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds asyncquiz once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "asyncquiz-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "asyncquiz")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startSlackServe runs `asyncquiz serve` for Slack against a fake Web API
// and waits until it is healthy.
func startSlackServe(t *testing.T, bin, addr, db, apiURL, secret string, logs io.Writer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "ASYNCQUIZ_ADDR="+addr, "ASYNCQUIZ_DB="+db,
		"SLACK_BOT_TOKEN=xoxb-restart", "SLACK_SIGNING_SECRET="+secret, "SLACK_API_URL="+apiURL+"/api/",
		"SLACK_APP_TOKEN=", "DISCORD_BOT_TOKEN=", "DISCORD_APP_ID=", "DISCORD_PUBLIC_KEY=")
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitFor(t, "healthz", 20*time.Second, nil, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return cmd
}

// slackPost sends a request signed as Slack signs it and returns the status.
func slackPost(t *testing.T, addr, path, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func slackCommand(t *testing.T, addr, secret, text, responseURL string) {
	t.Helper()
	body := url.Values{"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"}, "user_name": {"ada"},
		"command": {"/asyncquiz"}, "text": {text}, "response_url": {responseURL}}.Encode()
	if code := slackPost(t, addr, "/slack/commands", secret, body); code != 200 {
		t.Fatalf("/asyncquiz %s: status %d", text, code)
	}
}

// Bug: a click was acknowledged before its answer was committed, so a crash
// in between lost an answer the person saw accepted. Killed right after the
// click's HTTP 200, the server has stored the answer.
func TestServe_KilledRightAfterClickAck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	fake := &fakeSlackAPI{changed: make(chan struct{}, 1)}
	api := httptest.NewServer(fake)
	defer api.Close()
	addr := freeAddr(t)
	const secret = "ack-test-secret"
	db := filepath.Join(dir, "q.db")
	srv := startSlackServe(t, bin, addr, db, api.URL, secret, io.Discard)
	slackCommand(t, addr, secret, "start 1h", api.URL+"/response/1")
	waitFor(t, "the round to be posted", 10*time.Second, fake.changed, func() bool { p, _ := fake.counts(); return p == 1 })
	// The post is recorded just after it returns; the start reply follows.
	waitFor(t, "the start reply", 10*time.Second, fake.changed, func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return fake.replies == 1
	})
	const clicks = 20
	for i := 0; i < clicks; i++ {
		payload := fmt.Sprintf(`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U%d","name":"u%d"},`+
			`"channel":{"id":"C1"},"container":{"type":"message","channel_id":"C1"},"response_url":%q,`+
			`"actions":[{"action_id":"answer-A","block_id":"b","type":"button","value":"r:1:A"}]}`, i, i, api.URL+"/response/click")
		if code := slackPost(t, addr, "/slack/interactions", secret, url.Values{"payload": {payload}}.Encode()); code != 200 {
			t.Fatalf("click %d: status %d", i, code)
		}
	}
	// Killed the moment the last 200 arrived: nothing after the ack runs.
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	store, err := quiz.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.AnswerCount(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if n != clicks {
		t.Fatalf("%d of %d acknowledged answers survived kill -9", n, clicks)
	}
}
