package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
	// Application commands per scope ("global" or a guild id), the bot's
	// guilds, and the guilds where the application may not manage
	// commands (403 Missing Access).
	commands  map[string][]map[string]any
	guilds    []string
	forbidden map[string]bool
}

var commandPath = regexp.MustCompile(`^/applications/[^/]+(?:/guilds/([^/]+))?/commands(?:/([^/]+))?$`)

var messagePath = regexp.MustCompile(`^/channels/([^/]+)/messages(?:/([^/?]+))?$`)

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{notify: make(chan call, 1000), messages: map[string][]map[string]any{},
		nonces: map[string]map[string]any{}, archived: map[string]bool{}, commands: map[string][]map[string]any{}, forbidden: map[string]bool{}}
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
	case c.Path == "/users/@me/channels" && r.Method == "POST":
		// Create DM: the same channel for the same person every time.
		rid, _ := c.Body["recipient_id"].(string)
		return 200, fmt.Sprintf(`{"id":"DM%s","type":1,"last_message_id":null,"flags":0,"recipients":[{"id":%q,"username":"name-%s"}]}`, rid, rid, rid)
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
	case c.Path == "/users/@me/guilds":
		return 200, f.userGuilds(r)
	case commandPath.MatchString(c.Path):
		return f.command(r.Method, commandPath.FindStringSubmatch(c.Path), c.Raw)
	}
	return 200, fmt.Sprintf(`{"id":"m%d","channel_id":"C1"}`, f.n)
}

// command applies a bulk overwrite (PUT), list (GET) or delete (DELETE)
// of application commands in one scope; f.mu is held.
func (f *fakeDiscord) command(method string, m []string, raw string) (int, string) {
	scope, id := m[1], m[2]
	if scope == "" {
		scope = "global"
	}
	if f.forbidden[scope] {
		return 403, `{"message":"Missing Access","code":50001}`
	}
	switch {
	case method == "PUT" && id == "":
		var cmds []map[string]any
		if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
			return 400, `{"message":"Invalid Form Body","code":50035}`
		}
		for i, c := range cmds {
			c["id"] = fmt.Sprintf("%s-cmd%d-%d", scope, f.n, i)
		}
		f.commands[scope] = cmds
	case method == "DELETE" && id != "":
		kept := f.commands[scope][:0:0]
		found := false
		for _, c := range f.commands[scope] {
			if c["id"] == id {
				found = true
				continue
			}
			kept = append(kept, c)
		}
		if !found {
			return 404, `{"message":"Unknown application command","code":10063}`
		}
		f.commands[scope] = kept
		return http.StatusNoContent, ""
	case method != "GET" || id != "":
		return 405, `{"message":"405: Method Not Allowed","code":0}`
	}
	b, _ := json.Marshal(append([]map[string]any{}, f.commands[scope]...))
	return 200, string(b)
}

// userGuilds lists the bot's guilds after the "after" id, at most "limit".
func (f *fakeDiscord) userGuilds(r *http.Request) string {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	after := r.URL.Query().Get("after")
	out := []map[string]any{}
	for _, g := range f.guilds {
		if (after == "" || g > after) && (limit == 0 || len(out) < limit) {
			out = append(out, map[string]any{"id": g, "name": "guild " + g})
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// commandNames lists the names of the application commands in scope.
func (f *fakeDiscord) commandNames(scope string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, c := range f.commands[scope] {
		names = append(names, fmt.Sprint(c["name"]))
	}
	return names
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
