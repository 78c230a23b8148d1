package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// fakeSlackAPI is the Slack Web API as serve uses it: chat.postMessage
// (keeping each message with its metadata), conversations.history (which,
// as Slack does, returns metadata only with include_all_metadata),
// chat.update, auth.test, and the response_url endpoints.
type fakeSlackAPI struct {
	mu        sync.Mutex
	replies   int
	posts     int
	messages  []fakeMessage // every chat.postMessage, oldest first
	updates   []string      // ts of each update
	histCalls []url.Values
	// replyBodies holds each response_url post's body by its path.
	replyBodies map[string][]string
	changed     chan struct{}
	// afterPost, when set, runs with the lock held once a message is
	// stored and before Slack answers: a test kills the server there.
	afterPost func(fakeMessage)
}

// fakeMessage is a message as Slack stores it.
type fakeMessage struct {
	Channel, TS, Text string
	Metadata          string // the metadata JSON as posted, or ""
}

func (f *fakeSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/chat.postMessage":
		f.posts++
		m := fakeMessage{Channel: r.PostForm.Get("channel"), TS: fmt.Sprintf("1700000000.%06d", f.posts),
			Text: r.PostForm.Get("text"), Metadata: r.PostForm.Get("metadata")}
		f.messages = append(f.messages, m)
		if f.afterPost != nil {
			f.afterPost(m)
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, m.Channel, m.TS)
	case "/api/conversations.history":
		f.histCalls = append(f.histCalls, r.PostForm)
		limit, _ := strconv.Atoi(r.PostForm.Get("limit"))
		withMeta := r.PostForm.Get("include_all_metadata") == "1" || r.PostForm.Get("include_all_metadata") == "true"
		msgs := []map[string]any{}
		for i := len(f.messages) - 1; i >= 0 && (limit <= 0 || len(msgs) < limit); i-- { // newest first
			m := f.messages[i]
			if m.Channel != r.PostForm.Get("channel") {
				continue
			}
			out := map[string]any{"type": "message", "ts": m.TS, "bot_id": "B1", "text": m.Text}
			if withMeta && m.Metadata != "" {
				out["metadata"] = json.RawMessage(m.Metadata)
			}
			msgs = append(msgs, out)
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs, "has_more": false})
	case "/api/chat.update":
		f.updates = append(f.updates, r.PostForm.Get("ts"))
		fmt.Fprint(w, `{"ok":true}`)
	case "/api/auth.test": // who the bot token belongs to: the tenant
		fmt.Fprint(w, `{"ok":true,"team_id":"T1","bot_id":"B1"}`)
		return
	default: // response_url
		f.replies++
		if body, err := io.ReadAll(r.Body); err == nil {
			if f.replyBodies == nil {
				f.replyBodies = map[string][]string{}
			}
			f.replyBodies[r.URL.Path] = append(f.replyBodies[r.URL.Path], string(body))
		}
		io.WriteString(w, `{"ok":true}`)
	}
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// messagesWithKey returns the messages whose metadata carries key, the
// round key of bot.RoundKey.
func (f *fakeSlackAPI) messagesWithKey(key string) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMessage
	for _, m := range f.messages {
		var meta struct {
			EventPayload struct {
				Key string `json:"key"`
			} `json:"event_payload"`
		}
		if json.Unmarshal([]byte(m.Metadata), &meta) == nil && meta.EventPayload.Key == key {
			out = append(out, m)
		}
	}
	return out
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
	code, err := trySlackPost(http.DefaultClient, addr, path, secret, body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return code
}

// trySlackPost is slackPost for goroutines other than the test's: the
// transport's error (refused, reset by a kill) is returned.
func trySlackPost(c *http.Client, addr, path, secret, body string) (int, error) {
	req, err := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// clickBody is a block_actions form body as Slack sends it for user
// pressing value on the channel's message ts ("" leaves the ts out).
func clickBody(user, value, messageTS, triggerID, responseURL string) string {
	payload := fmt.Sprintf(`{"type":"block_actions","team":{"id":"T1"},"user":{"id":%q,"name":%q},`+
		`"channel":{"id":"C1"},"container":{"type":"message","channel_id":"C1","message_ts":%q},"trigger_id":%q,"response_url":%q,`+
		`"actions":[{"action_id":"answer","block_id":"b","type":"button","value":%q}]}`,
		user, "name-"+user, messageTS, triggerID, responseURL, value)
	return url.Values{"payload": {payload}}.Encode()
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
		body := clickBody(fmt.Sprintf("U%d", i), "r:1:A", "", "", api.URL+"/response/click")
		if code := slackPost(t, addr, "/slack/interactions", secret, body); code != 200 {
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
