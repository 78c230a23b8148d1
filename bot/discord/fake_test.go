package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
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

// fault is an injected answer for requests matching Method and a path
// prefix: Status with Body instead of the real answer, or, with Apply,
// the real effect followed by that answer (a response lost after Discord
// acted on the request).
type fault struct {
	Method, Prefix string
	Status         int
	Body           string
	Apply          bool
	Times          int
}

// botUserID is the fake bot's user id (GET /users/@me).
const botUserID = "100000000000000001"

// fakeDiscord speaks the REST routes the adapter uses, with Discord's
// nonce rule, and records calls.
type fakeDiscord struct {
	srv       *httptest.Server
	mu        sync.Mutex
	calls     []call
	notify    chan call
	rateLimit int // answer this many message creations with 429 first
	faults    []*fault
	n         int
	messages  map[string][]map[string]any // channel -> created messages, oldest first
	nonces    map[string]map[string]any   // channel+nonce -> message
	archived  map[string]bool             // thread -> archived
	conns     int                         // TCP connections accepted
	gateway   string                      // ws URL answered by GET /gateway/bot
	restWS    func(w http.ResponseWriter, r *http.Request) bool
	latency   time.Duration // before every answer, as a real network has
}

var messagePath = regexp.MustCompile(`^/channels/([^/]+)/messages(?:/([^/?]+))?$`)

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{notify: make(chan call, 1000), messages: map[string][]map[string]any{},
		nonces: map[string]map[string]any{}, archived: map[string]bool{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.serve(t, w, r) }))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) serve(t testing.TB, w http.ResponseWriter, r *http.Request) {
	if f.restWS != nil && f.restWS(w, r) {
		return // the gateway, on the same server
	}
	if f.latency > 0 {
		time.Sleep(f.latency) // the fake server's own delay, not a test wait
	}
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
	var injected *fault
	for _, ft := range f.faults {
		if ft.Times > 0 && ft.Method == r.Method && strings.HasPrefix(c.Path, ft.Prefix) {
			ft.Times--
			injected = ft
			break
		}
	}
	status, body := http.StatusOK, ""
	if injected == nil || injected.Apply {
		status, body = f.answer(r, c)
	}
	f.mu.Unlock()
	select {
	case f.notify <- c:
	default: // nobody waits for this many; Calls still has them
	}
	if injected != nil {
		status, body = injected.Status, injected.Body
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// answer applies a request as Discord would; f.mu is held.
func (f *fakeDiscord) answer(r *http.Request, c call) (int, string) {
	m := messagePath.FindStringSubmatch(c.Path)
	switch {
	case c.Path == "/gateway/bot":
		return 200, fmt.Sprintf(`{"url":%q,"shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":0,"max_concurrency":1}}`, f.gateway)
	case c.Path == "/users/@me":
		return 200, `{"id":"` + botUserID + `","username":"asyncquiz","bot":true}`
	case m != nil && r.Method == "POST" && m[2] == "":
		return 200, f.create(m[1], c.Body)
	case m != nil && r.Method == "GET":
		// Newest first, as Discord lists them.
		var out []map[string]any
		msgs := f.messages[m[1]]
		for i := len(msgs) - 1; i >= 0 && len(out) < 50; i-- {
			out = append(out, msgs[i])
		}
		b, _ := json.Marshal(out)
		return 200, string(b)
	case m != nil && r.Method == "PATCH":
		if f.archived[m[1]] {
			return 400, `{"message":"Thread is archived","code":50083}`
		}
		return 200, fmt.Sprintf(`{"id":%q,"channel_id":%q}`, m[2], m[1])
	case r.Method == "PATCH" && strings.HasPrefix(c.Path, "/channels/"):
		ch := strings.TrimPrefix(c.Path, "/channels/")
		if a, ok := c.Body["archived"].(bool); ok && !a {
			f.archived[ch] = false
		}
		return 200, fmt.Sprintf(`{"id":%q,"type":11}`, ch)
	case strings.HasPrefix(c.Path, "/interactions/"):
		return http.StatusNoContent, ""
	case strings.HasSuffix(c.Path, "/commands"):
		return 200, c.Raw
	}
	return 200, fmt.Sprintf(`{"id":"m%d","channel_id":"C1"}`, f.n)
}

// create makes a channel message; a repeated nonce with enforce_nonce
// returns the message it made (Discord's rule, for a few minutes).
func (f *fakeDiscord) create(channel string, body map[string]any) string {
	n, _ := body["nonce"].(string)
	if enforce, _ := body["enforce_nonce"].(bool); enforce && n != "" {
		if old, ok := f.nonces[channel+"/"+n]; ok {
			b, _ := json.Marshal(old)
			return string(b)
		}
	}
	msg := map[string]any{"id": fmt.Sprintf("m%d", f.n), "channel_id": channel, "nonce": n,
		"author": map[string]any{"id": botUserID, "username": "asyncquiz", "bot": true},
		"embeds": body["embeds"], "components": body["components"]}
	f.messages[channel] = append(f.messages[channel], msg)
	if n != "" {
		f.nonces[channel+"/"+n] = msg
	}
	b, _ := json.Marshal(msg)
	return string(b)
}

// lastMessage is the id of the newest message created in channel.
func (f *fakeDiscord) lastMessage(channel string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs := f.messages[channel]
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1]["id"].(string)
}

func (f *fakeDiscord) messageCount(channel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.messages[channel])
}

func (f *fakeDiscord) inject(ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &ft)
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
func (f *fakeDiscord) wait(t testing.TB, method, prefix string) call {
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
	t     testing.TB
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

func newHarness(t testing.TB) *harness {
	fake := newFakeDiscord(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	// The shared bot harness gives the store, clock and bot; the adapter
	// registers itself over its recorder.
	bh := bottest.New(t)
	store, clk, b := bh.Store, bh.Clock, bh.Bot
	a, err := New(Config{BotToken: "test-token", AppID: "123456", PublicKey: pub, GuildID: "999999", APIURL: fake.srv.URL + "/api/v10",
		Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))}, b)
	if err != nil {
		t.Fatal(err)
	}
	a.replyWait = func(int) time.Duration { return time.Millisecond }
	mux := http.NewServeMux()
	a.Routes(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Wait(ctx)
	})
	return &harness{t: t, fake: fake, db: bh.DB, store: store, clock: clk, bot: b, a: a, priv: priv, mux: mux}
}

// testWriter sends the adapter's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
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
	h.mux.ServeHTTP(w, r)
	return w
}

// snowflake is a Discord id created now, unique per n.
func snowflake(n int) string {
	return strconv.FormatUint(uint64(time.Now().UnixMilli()-discordEpoch)<<22|uint64(n&0x3fffff), 10)
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
		"id": snowflake(h.n), "application_id": "123456", "type": 2, "token": fmt.Sprintf("tok%d", h.n),
		"guild_id": "G1", "channel_id": "C1", "member": member(user, perms),
		"data": map[string]any{"id": "cmd", "name": "asyncquiz", "type": 1,
			"options": []map[string]any{{"name": sub, "type": 1, "options": options}}},
	})
	return string(body)
}

// clickJSON is a button click on message (a round's channel message, or an
// ephemeral card).
func (h *harness) clickJSON(guild, user, customID, message string, ephemeral bool) string {
	h.n++
	flags := 0
	if ephemeral {
		flags = 64
	}
	body, _ := json.Marshal(map[string]any{
		"id": snowflake(h.n), "application_id": "123456", "type": 3, "token": fmt.Sprintf("tok%d", h.n),
		"guild_id": guild, "channel_id": "C1", "member": member(user, 0),
		"message": map[string]any{"id": message, "channel_id": "C1", "flags": flags},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	})
	return string(body)
}

// command runs a command over HTTP; it must be deferred, and the reply
// arrives as an edit of the original response.
func (h *harness) command(user string, perms int64, sub string, opts map[string]any) call {
	h.t.Helper()
	return h.commandBody(h.commandJSON(user, perms, sub, opts))
}

func (h *harness) commandBody(body string) call {
	h.t.Helper()
	w := h.post(body, nil)
	var resp map[string]any
	json.Unmarshal(w.Body.Bytes(), &resp)
	if w.Code != 200 {
		h.t.Fatalf("status %d %s", w.Code, w.Body)
	}
	if resp["type"] == float64(4) { // answered at once (validation error)
		return call{Raw: w.Body.String()}
	}
	if resp["type"] != float64(5) || resp["data"].(map[string]any)["flags"] != float64(64) {
		h.t.Fatalf("response %s, want a deferred ephemeral one", w.Body)
	}
	return h.fake.wait(h.t, "PATCH", "/webhooks/123456/")
}

// click clicks a button: on an ephemeral card, or on the channel's newest
// message.
func (h *harness) click(user, customID string, ephemeral bool) map[string]any {
	h.t.Helper()
	msg := "card"
	if !ephemeral {
		msg = h.fake.lastMessage("C1")
	}
	w := h.post(h.clickJSON("G1", user, customID, msg, ephemeral), nil)
	if w.Code != 200 {
		h.t.Fatalf("click: status %d %s", w.Code, w.Body)
	}
	var resp map[string]any
	json.Unmarshal(w.Body.Bytes(), &resp)
	return resp
}

func buttonIDs(t *testing.T, body map[string]any) map[string]string {
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
