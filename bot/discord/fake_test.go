package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// call is one request the fake Discord REST API received.
type call struct {
	Method, Path string
	Body         map[string]any
	Raw          string
}

// fakeDiscord speaks the REST routes the adapter uses and records calls.
type fakeDiscord struct {
	srv       *httptest.Server
	mu        sync.Mutex
	calls     []call
	notify    chan call
	rateLimit int // answer this many message creations with 429 first
	n         int
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{notify: make(chan call, 200)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		c := call{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v10"), Raw: string(raw)}
		json.Unmarshal(raw, &c.Body)
		if r.Header.Get("Authorization") != "Bot test-token" && !strings.HasPrefix(c.Path, "/webhooks/") && !strings.HasPrefix(c.Path, "/interactions/") {
			t.Errorf("%s %s without the bot token", r.Method, r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		f.mu.Lock()
		if f.rateLimit > 0 && r.Method == "POST" && strings.HasSuffix(c.Path, "/messages") {
			f.rateLimit--
			f.mu.Unlock()
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.05,"global":false}`)
			return
		}
		f.calls = append(f.calls, c)
		f.n++
		n := f.n
		f.mu.Unlock()
		f.notify <- c
		switch {
		case r.Method == "POST" && strings.HasSuffix(c.Path, "/messages"):
			fmt.Fprintf(w, `{"id":"m%d","channel_id":"C1"}`, n)
		case strings.HasPrefix(c.Path, "/interactions/"):
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(c.Path, "/commands"):
			io.WriteString(w, string(raw))
		default:
			fmt.Fprintf(w, `{"id":"m%d","channel_id":"C1"}`, n)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) Calls(method, prefix string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// wait returns the next call matching method and path prefix.
func (f *fakeDiscord) wait(t *testing.T, method, prefix string) call {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case c := <-f.notify:
			if c.Method == method && strings.HasPrefix(c.Path, prefix) {
				return c
			}
		case <-deadline:
			t.Fatalf("no %s %s call", method, prefix)
			return call{}
		}
	}
}

type harness struct {
	t     *testing.T
	fake  *fakeDiscord
	db    *quiztest.DB
	store *quiz.Store
	clock *quiztest.Clock
	bot   *bot.Bot
	a     *Adapter
	priv  ed25519.PrivateKey
	mux   *http.ServeMux
	n     int
}

func newHarness(t *testing.T) *harness {
	fake := newFakeDiscord(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	// The shared bot harness gives the store, clock and bot; the adapter
	// registers itself over its recorder.
	bh := bottest.New(t)
	store, clk, b := bh.Store, bh.Clock, bh.Bot
	a, err := New(Config{BotToken: "test-token", AppID: "123456", PublicKey: pub, GuildID: "999999", APIURL: fake.srv.URL + "/api/v10"}, b)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Wait(ctx)
	})
	return &harness{t: t, fake: fake, db: bh.DB, store: store, clock: clk, bot: b, a: a, priv: priv, mux: mux}
}

// sign signs body exactly as Discord does: Ed25519 over timestamp + body.
func sign(r *http.Request, priv ed25519.PrivateKey, body string, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
}

func (h *harness) post(body string, mutate func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/discord/interactions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	sign(r, h.priv, body, time.Now())
	if mutate != nil {
		mutate(r)
	}
	w := httptest.NewRecorder()
	start := time.Now()
	h.mux.ServeHTTP(w, r)
	if d := time.Since(start); d > 2500*time.Millisecond {
		h.t.Errorf("interaction answered after %v", d)
	}
	return w
}

func member(user string, perms int64) map[string]any {
	return map[string]any{"user": map[string]any{"id": user, "username": "name-" + user}, "permissions": strconv.FormatInt(perms, 10)}
}

func (h *harness) commandJSON(user string, perms int64, sub string, opts map[string]any) string {
	h.n++
	var options []map[string]any
	for k, v := range opts {
		typ := 3
		switch v.(type) {
		case int:
			typ = 4
		case bool:
			typ = 5
		}
		options = append(options, map[string]any{"name": k, "type": typ, "value": v})
	}
	body, _ := json.Marshal(map[string]any{
		"id": fmt.Sprintf("i%d", h.n), "application_id": "123456", "type": 2, "token": fmt.Sprintf("tok%d", h.n),
		"guild_id": "G1", "channel_id": "C1", "member": member(user, perms),
		"data": map[string]any{"id": "cmd", "name": "asyncquiz", "type": 1,
			"options": []map[string]any{{"name": sub, "type": 1, "options": options}}},
	})
	return string(body)
}

func (h *harness) clickJSON(guild, user, customID string, ephemeral bool) string {
	h.n++
	flags := 0
	if ephemeral {
		flags = 64
	}
	body, _ := json.Marshal(map[string]any{
		"id": fmt.Sprintf("i%d", h.n), "application_id": "123456", "type": 3, "token": fmt.Sprintf("tok%d", h.n),
		"guild_id": guild, "channel_id": "C1", "member": member(user, 0),
		"message": map[string]any{"id": "m1", "channel_id": "C1", "flags": flags},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	})
	return string(body)
}

// command runs a command over HTTP; it must be deferred, and the reply
// arrives as an edit of the original response.
func (h *harness) command(user string, perms int64, sub string, opts map[string]any) call {
	h.t.Helper()
	w := h.post(h.commandJSON(user, perms, sub, opts), nil)
	var resp map[string]any
	json.Unmarshal(w.Body.Bytes(), &resp)
	if w.Code != 200 {
		h.t.Fatalf("%s: status %d %s", sub, w.Code, w.Body)
	}
	if resp["type"] == float64(4) { // answered at once (validation error)
		return call{Raw: w.Body.String()}
	}
	if resp["type"] != float64(5) || resp["data"].(map[string]any)["flags"] != float64(64) {
		h.t.Fatalf("%s: response %s, want a deferred ephemeral one", sub, w.Body)
	}
	return h.fake.wait(h.t, "PATCH", "/webhooks/123456/")
}

func (h *harness) click(user, customID string, ephemeral bool) map[string]any {
	h.t.Helper()
	w := h.post(h.clickJSON("G1", user, customID, ephemeral), nil)
	if w.Code != 200 {
		h.t.Fatalf("click: status %d %s", w.Code, w.Body)
	}
	var resp map[string]any
	json.Unmarshal(w.Body.Bytes(), &resp)
	return resp
}

func customIDs(t *testing.T, body map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	comps, _ := body["components"].([]any)
	for _, row := range comps {
		for _, c := range row.(map[string]any)["components"].([]any) {
			b := c.(map[string]any)
			out[b["label"].(string)] = b["custom_id"].(string)
		}
	}
	return out
}

func raw(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
