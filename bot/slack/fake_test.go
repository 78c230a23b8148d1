package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeSlack speaks the Slack Web API methods the adapter calls, plus the
// response_url endpoint and Socket Mode (socketfake_test.go), and records
// every call.
type fakeSlack struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	posts     []url.Values
	updates   []url.Values
	responses chan map[string]any
	rateLimit int // answer this many chat.postMessage calls with 429 first
	admins    map[string]bool

	auth       string // auth.test's answer (JSON fields after "ok":true), or an error code
	authCalls  int
	lostPosts  int    // apply this many posts, then answer 500 as if the answer was lost
	postError  string // answer chat.postMessage with ok:false and this error
	histError  string // answer conversations.history with ok:false and this error
	histCalls  []url.Values
	respFail   int // answer this many response_url posts with respStatus first
	respStatus int
	respBody   string // body of those failures
	respTries  int    // every response_url post, failed or not

	sm *socketFake
}

const authWorkspace = `"team_id":"T1","team":"Acme","user_id":"UBOT","bot_id":"B1","is_enterprise_install":false`

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, responses: make(chan map[string]any, 100), admins: map[string]bool{}, auth: authWorkspace}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.authCalls++
		if r.Header.Get("Authorization") != "Bearer xoxb-test" {
			io.WriteString(w, `{"ok":false,"error":"not_authed"}`)
			return
		}
		if !strings.Contains(f.auth, ":") {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.auth)
			return
		}
		fmt.Fprintf(w, `{"ok":true,%s}`, f.auth)
	})
	mux.HandleFunc("POST /api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.rateLimit > 0 {
			f.rateLimit--
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if f.postError != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.postError)
			return
		}
		f.posts = append(f.posts, r.PostForm)
		if f.lostPosts > 0 {
			f.lostPosts--
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1>upstream reset</body></html>")
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), len(f.posts))
	})
	mux.HandleFunc("POST /api/conversations.history", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.histCalls = append(f.histCalls, r.PostForm)
		if f.histError != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.histError)
			return
		}
		limit, _ := strconv.Atoi(r.PostForm.Get("limit"))
		var msgs []map[string]any
		for i := len(f.posts) - 1; i >= 0 && len(msgs) < limit; i-- {
			p := f.posts[i]
			if p.Get("channel") != r.PostForm.Get("channel") {
				continue
			}
			m := map[string]any{"type": "message", "ts": fmt.Sprintf("1700000000.%06d", i+1), "bot_id": "B1", "text": p.Get("text")}
			if meta := p.Get("metadata"); meta != "" && r.PostForm.Get("include_all_metadata") == "1" {
				m["metadata"] = json.RawMessage(meta)
			}
			msgs = append(msgs, m)
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs, "has_more": false})
	})
	mux.HandleFunc("POST /api/chat.update", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.updates = append(f.updates, r.PostForm)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.PostForm.Get("channel"), r.PostForm.Get("ts"))
	})
	mux.HandleFunc("POST /api/users.info", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id := r.PostForm.Get("user")
		f.mu.Lock()
		admin := f.admins[id]
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"is_admin":%v}}`, id, admin)
	})
	mux.HandleFunc("POST /response/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("response_url body: %v", err)
		}
		f.mu.Lock()
		f.respTries++
		if f.respFail > 0 {
			f.respFail--
			f.mu.Unlock()
			w.WriteHeader(f.respStatus)
			io.WriteString(w, f.respBody)
			return
		}
		f.mu.Unlock()
		body["_url"] = r.PathValue("id")
		f.responses <- body
		io.WriteString(w, "ok")
	})
	f.sm = newSocketFake(t, f, mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) Posts() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...)
}

func (f *fakeSlack) Updates() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.updates...)
}

func (f *fakeSlack) set(fn func(f *fakeSlack)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

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

// eventually waits for cond, checking every few milliseconds, or fails.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond) // polling a condition with a deadline
	}
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
