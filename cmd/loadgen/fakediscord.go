package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeDiscord speaks the Discord REST routes the server calls (under
// /api/vN): channel messages (create, edit, get, list), application command
// registration, interaction callbacks and interaction webhook edits and
// follow-ups. Requests with the bot token count against Discord's global 50
// requests a second; over it they get 429 with Retry-After,
// X-RateLimit-Global and Discord's JSON body. Interaction routes are exempt,
// as on Discord.
type fakeDiscord struct {
	rec     *recorder
	token   string // "Bot ..."
	latency time.Duration
	limit   *limiter

	mu     sync.Mutex
	seq    uint64
	msgs   map[string]map[string]json.RawMessage // channel -> id -> message
	nonces map[string]string                     // channel/nonce -> id
}

func newFakeDiscord(rec *recorder, token string, latency time.Duration, limited bool) *fakeDiscord {
	f := &fakeDiscord{rec: rec, token: "Bot " + token, latency: latency, seq: 1 << 40,
		msgs: map[string]map[string]json.RawMessage{}, nonces: map[string]string{}}
	if limited {
		f.limit = newLimiter(50, 50)
	}
	return f
}

var apiVersion = regexp.MustCompile(`^/api/v\d+`)

// discordRoute names a request by its method and route, ids and tokens
// replaced, as Discord's docs name them.
func discordRoute(method string, parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		switch {
		case i == 2 && (parts[0] == "webhooks" || parts[0] == "interactions"):
			out[i] = "{token}"
		case p != "" && strings.Trim(p, "0123456789") == "":
			out[i] = "{id}"
		default:
			out[i] = p
		}
	}
	return "discord " + method + " /" + strings.Join(out, "/")
}

func (f *fakeDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	loc := apiVersion.FindStringIndex(r.URL.Path)
	if loc == nil {
		discordError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path[loc[1]:], "/"), "/")
	route := discordRoute(r.Method, parts)
	f.rec.call(route)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	interaction := parts[0] == "interactions" || parts[0] == "webhooks"
	if !interaction {
		if r.Header.Get("Authorization") != f.token {
			discordError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		if ok, wait := f.limit.allow("global", time.Now()); !ok {
			f.rec.rateLimited(route)
			secs := wait.Seconds()
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(secs+0.999))))
			w.Header().Set("X-RateLimit-Global", "true")
			w.Header().Set("X-RateLimit-Scope", "global")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%.3f,"global":true}`, secs)
			return
		}
	}
	time.Sleep(f.latency)
	n := len(parts)
	switch {
	case n == 3 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodPost:
		f.create(w, parts[1], body)
	case n == 3 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodGet:
		f.list(w, parts[1])
	case n == 4 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodPatch:
		f.edit(w, parts[1], parts[3], body)
	case n == 4 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodGet:
		f.get(w, parts[1], parts[3])
	case parts[0] == "applications" && parts[n-1] == "commands" && r.Method == http.MethodPut:
		f.commands(w, body)
	case n == 4 && parts[0] == "interactions" && parts[3] == "callback" && r.Method == http.MethodPost:
		f.rec.replied(parts[2], string(body), time.Now())
		w.WriteHeader(http.StatusNoContent)
	case n == 5 && parts[0] == "webhooks" && parts[3] == "messages" && r.Method == http.MethodPatch,
		n == 3 && parts[0] == "webhooks" && r.Method == http.MethodPost:
		f.rec.replied(parts[2], string(body), time.Now())
		f.reply(w, "", body)
	default:
		discordError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func discordError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message":%q,"code":%d}`, msg, code)
}

func (f *fakeDiscord) nextID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return strconv.FormatUint(f.seq, 10)
}

// sent is the part of a message body the fake reads.
type sent struct {
	Nonce        any            `json:"nonce"`
	EnforceNonce bool           `json:"enforce_nonce"`
	Components   *[]component   `json:"components"`
	Embeds       []embedSummary `json:"embeds"`
	Content      string         `json:"content"`
}

type component struct {
	Type       int         `json:"type"`
	CustomID   string      `json:"custom_id"`
	Components []component `json:"components"`
}

type embedSummary struct {
	Description string `json:"description"`
}

func customIDs(cs []component) []string {
	var out []string
	for _, c := range cs {
		if c.Type == 2 && c.CustomID != "" {
			out = append(out, c.CustomID)
		}
		out = append(out, customIDs(c.Components)...)
	}
	return out
}

// reply answers with a message object built from body.
func (f *fakeDiscord) reply(w http.ResponseWriter, channel string, body []byte) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil || m == nil {
		m = map[string]any{}
	}
	if _, ok := m["id"].(string); !ok {
		m["id"] = f.nextID()
	}
	m["channel_id"] = channel
	m["author"] = map[string]any{"id": discordApp, "username": "asyncquiz", "bot": true}
	m["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	out, _ := json.Marshal(m)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
	return out
}

func (f *fakeDiscord) create(w http.ResponseWriter, channel string, body []byte) {
	var s sent
	if json.Unmarshal(body, &s) != nil {
		discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	nonce := ""
	if s.Nonce != nil {
		nonce = fmt.Sprint(s.Nonce)
	}
	f.mu.Lock()
	if id, ok := f.nonces[channel+"/"+nonce]; ok && nonce != "" && s.EnforceNonce {
		old := f.msgs[channel][id]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(old)
		return
	}
	f.mu.Unlock()
	id := f.nextID()
	var m map[string]any
	json.Unmarshal(body, &m)
	m["id"] = id
	stored := f.reply(w, channel, mustJSON(m))
	f.mu.Lock()
	if f.msgs[channel] == nil {
		f.msgs[channel] = map[string]json.RawMessage{}
	}
	f.msgs[channel][id] = stored
	if nonce != "" {
		f.nonces[channel+"/"+nonce] = id
	}
	f.mu.Unlock()
	if s.Components != nil {
		actions := answersOnly(customIDs(*s.Components))
		if rid := roundOf(actions); rid != 0 {
			msg := &message{Platform: "discord", Channel: channel, Ref: id, RoundID: rid, Actions: actions, Echo: string(stored), PostedAt: time.Now()}
			for _, e := range s.Embeds {
				if t := discordTime.FindStringSubmatch(e.Description); t != nil {
					sec, _ := strconv.ParseInt(t[1], 10, 64)
					msg.Deadline = time.Unix(sec, 0)
				}
			}
			f.rec.posted(msg)
		}
	}
}

func (f *fakeDiscord) edit(w http.ResponseWriter, channel, id string, body []byte) {
	var s sent
	if json.Unmarshal(body, &s) != nil {
		discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	f.mu.Lock()
	_, ok := f.msgs[channel][id]
	f.mu.Unlock()
	if !ok {
		discordError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	m["id"] = id
	stored := f.reply(w, channel, mustJSON(m))
	f.mu.Lock()
	f.msgs[channel][id] = stored
	f.mu.Unlock()
	reveal := s.Components != nil && !answerButtons(customIDs(*s.Components))
	f.rec.edited("discord", channel, id, reveal, time.Now())
}

func (f *fakeDiscord) get(w http.ResponseWriter, channel, id string) {
	f.mu.Lock()
	m, ok := f.msgs[channel][id]
	f.mu.Unlock()
	if !ok {
		discordError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(m)
}

func (f *fakeDiscord) list(w http.ResponseWriter, channel string) {
	f.mu.Lock()
	out := make([]json.RawMessage, 0, len(f.msgs[channel]))
	for _, m := range f.msgs[channel] {
		out = append(out, m)
	}
	f.mu.Unlock()
	writeJSON(w, out)
}

// commands answers a bulk overwrite with the commands, ids added.
func (f *fakeDiscord) commands(w http.ResponseWriter, body []byte) {
	var cmds []map[string]any
	if json.Unmarshal(body, &cmds) != nil {
		discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	for _, c := range cmds {
		c["id"] = f.nextID()
		c["application_id"] = discordApp
		c["version"] = "1"
	}
	writeJSON(w, cmds)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
