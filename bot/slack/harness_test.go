package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// harness is a Slack adapter on a real quiz store, behind its HTTP routes.
type harness struct {
	t     *testing.T
	fake  *fakeSlack
	db    *quiztest.DB
	store *quiz.Store
	clock *quiztest.Clock
	bot   *bot.Bot
	a     *Adapter
	mux   *http.ServeMux
	n     int
	logs  *logBuffer
}

func newHarness(t *testing.T) *harness {
	fake := newFakeSlack(t)
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := quiztest.NewClock(quiztest.Start)
	db := quiztest.MustOpenSQLite(t)
	store := quiztest.OpenStore(t, db, quiztest.Bank(), quiztest.Exact(clk)...)
	b := bot.New(store, log)
	a := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", SigningSecret: testSecret, APIURL: fake.srv.URL + "/api/",
		HTTPClient: fake.srv.Client(), Log: log}, b)
	a.replyBackoff = []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 8 * time.Millisecond}
	a.socket = socketTiming{minBackoff: 5 * time.Millisecond, maxBackoff: 50 * time.Millisecond,
		ping: time.Second, drain: 300 * time.Millisecond, handshake: 5 * time.Second}
	mux := http.NewServeMux()
	a.Routes(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Wait(ctx)
	})
	return &harness{t: t, fake: fake, db: db, store: store, clock: clk, bot: b, a: a, mux: mux, logs: logs}
}

// logBuffer collects log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Lines returns the log lines containing every one of subs.
func (l *logBuffer) Lines(subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		ok := line != ""
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

// sign signs a request exactly as Slack does.
func sign(r *http.Request, body string, at time.Time, secret string) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

func (h *harness) serve(path, body string, mutate func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(r, body, time.Now(), testSecret)
	if mutate != nil {
		mutate(r)
	}
	w := httptest.NewRecorder()
	start := time.Now()
	h.mux.ServeHTTP(w, r)
	if d := time.Since(start); d > time.Second {
		h.t.Errorf("%s took %v to acknowledge", path, d)
	}
	return w
}

func (h *harness) commandBody(user, text string) string {
	h.n++
	return url.Values{
		"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user}, "user_name": {"name-" + user},
		"command": {"/asyncquiz"}, "text": {text}, "response_url": {fmt.Sprintf("%s/response/c%d", h.fake.srv.URL, h.n)},
		"trigger_id": {fmt.Sprintf("13345224609.738474920.c%d", h.n)},
	}.Encode()
}

// command runs a slash command over HTTP and returns the private reply.
func (h *harness) command(user, text string) map[string]any {
	h.t.Helper()
	w := h.serve("/slack/commands", h.commandBody(user, text), nil)
	if w.Code != http.StatusOK {
		h.t.Fatalf("command %q: status %d %s", text, w.Code, w.Body)
	}
	return h.reply()
}

func (h *harness) reply() map[string]any {
	h.t.Helper()
	select {
	case r := <-h.fake.responses:
		return r
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no reply on response_url")
		return nil
	}
}

func (h *harness) clickBody(team, user, value string, ephemeral bool) string {
	h.n++
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": team}, "user": map[string]any{"id": user, "name": "name-" + user},
		"channel":      map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "message_ts": "1700000000.000001", "channel_id": "C1", "is_ephemeral": ephemeral},
		"response_url": fmt.Sprintf("%s/response/k%d", h.fake.srv.URL, h.n),
		"trigger_id":   fmt.Sprintf("13345224609.738474920.k%d", h.n),
		"actions":      []map[string]any{{"action_id": "answer:0", "block_id": "answers", "type": "button", "value": value}},
	}
	data, _ := json.Marshal(payload)
	return url.Values{"payload": {string(data)}}.Encode()
}

func (h *harness) click(user, value string, ephemeral bool) map[string]any {
	h.t.Helper()
	w := h.serve("/slack/interactions", h.clickBody("T1", user, value, ephemeral), nil)
	if w.Code != http.StatusOK {
		h.t.Fatalf("click: status %d", w.Code)
	}
	return h.reply()
}

// buttons returns the button values of a blocks JSON, by label.
func buttons(t *testing.T, blocksJSON string) map[string]string {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(blocksJSON), &blocks); err != nil {
		t.Fatalf("blocks JSON: %v", err)
	}
	out := map[string]string{}
	for _, b := range blocks {
		if b["type"] != "actions" {
			continue
		}
		for _, e := range b["elements"].([]any) {
			el := e.(map[string]any)
			label := el["text"].(map[string]any)["text"].(string)
			out[label] = el["value"].(string)
		}
	}
	return out
}

func replyText(r map[string]any) string {
	data, _ := json.Marshal(r["blocks"])
	return fmt.Sprint(r["text"]) + " " + string(data)
}
