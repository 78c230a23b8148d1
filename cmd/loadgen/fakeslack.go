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

// fakeSlack speaks the Slack Web API methods the server calls (form-encoded
// POSTs under /api/, answers {"ok":...}) and the response_url endpoint
// (/response/ID, JSON in, "ok" out). chat.postMessage and chat.update are
// held to one write a second per channel, answered over it with 429 and
// Retry-After, as Slack does.
type fakeSlack struct {
	rec     *recorder
	token   string
	latency time.Duration
	limit   *limiter // nil: no rate limit

	mu      sync.Mutex
	seq     int
	history map[string][]slackMessage // channel -> messages, oldest first
}

type slackMessage struct {
	Type     string          `json:"type"`
	TS       string          `json:"ts"`
	Text     string          `json:"text"`
	BotID    string          `json:"bot_id"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

func newFakeSlack(rec *recorder, token string, latency time.Duration, limited bool) *fakeSlack {
	f := &fakeSlack{rec: rec, token: token, latency: latency, history: map[string][]slackMessage{}}
	if limited {
		f.limit = newLimiter(1, 1)
	}
	return f
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/response/"); ok && r.Method == http.MethodPost {
		f.responseURL(w, r, id)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.rec.call("slack " + method)
	if err := r.ParseForm(); err != nil {
		slackError(w, "invalid_form_data")
		return
	}
	if r.Form.Get("token") != f.token && r.Header.Get("Authorization") != "Bearer "+f.token {
		slackError(w, "invalid_auth")
		return
	}
	channel := r.Form.Get("channel")
	switch method {
	case "chat.postMessage", "chat.update":
		if ok, wait := f.limit.allow(channel, time.Now()); !ok {
			f.rec.rateLimited("slack " + method)
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Seconds()+0.999))))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
	}
	time.Sleep(f.latency)
	switch method {
	case "chat.postMessage":
		f.postMessage(w, r.Form)
	case "chat.update":
		f.update(w, r.Form)
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": f.nextTS()})
	case "conversations.history":
		f.conversationHistory(w, r.Form)
	case "users.info":
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": r.Form.Get("user"), "is_admin": false}})
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "user_id": "UBOT", "team_id": slackTeam, "bot_id": "BLOADGEN"})
	default:
		slackError(w, "unknown_method")
	}
}

func slackError(w http.ResponseWriter, code string) {
	writeJSON(w, map[string]any{"ok": false, "error": code})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return fmt.Sprintf("%d.%06d", time.Now().Unix(), f.seq%1_000_000)
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, form map[string][]string) {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	channel := get("channel")
	if channel == "" {
		slackError(w, "channel_not_found")
		return
	}
	ts := f.nextTS()
	msg := slackMessage{Type: "message", TS: ts, Text: get("text"), BotID: "BLOADGEN"}
	if b := get("blocks"); b != "" {
		msg.Blocks = json.RawMessage(b)
	}
	if md := get("metadata"); md != "" && json.Valid([]byte(md)) {
		msg.Metadata = json.RawMessage(md)
	}
	f.mu.Lock()
	f.history[channel] = append(f.history[channel], msg)
	f.mu.Unlock()
	if m := slackRound(channel, ts, get("blocks")); m != nil {
		f.rec.posted(m)
	}
	writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": ts, "message": msg})
}

func (f *fakeSlack) update(w http.ResponseWriter, form map[string][]string) {
	channel, ts, blocks := first(form["channel"]), first(form["ts"]), first(form["blocks"])
	f.mu.Lock()
	found := false
	for i, m := range f.history[channel] {
		if m.TS == ts {
			found = true
			if blocks != "" {
				f.history[channel][i].Blocks = json.RawMessage(blocks)
			}
		}
	}
	f.mu.Unlock()
	if !found {
		slackError(w, "message_not_found")
		return
	}
	f.rec.edited("slack", channel, ts, !answerButtons(slackActions(blocks)), time.Now())
	writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": ts, "text": first(form["text"])})
}

// conversationHistory lists a channel's messages newest first, with their
// metadata (the server looks for a retried post's key there).
func (f *fakeSlack) conversationHistory(w http.ResponseWriter, form map[string][]string) {
	channel := first(form["channel"])
	limit, _ := strconv.Atoi(first(form["limit"]))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	meta := first(form["include_all_metadata"]) == "1" || first(form["include_all_metadata"]) == "true"
	f.mu.Lock()
	var out []slackMessage
	h := f.history[channel]
	for i := len(h) - 1; i >= 0 && len(out) < limit; i-- {
		m := h[i]
		if !meta {
			m.Metadata = nil
		}
		out = append(out, m)
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": false})
}

func (f *fakeSlack) responseURL(w http.ResponseWriter, r *http.Request, id string) {
	f.rec.call("slack response_url")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	time.Sleep(f.latency)
	f.rec.replied(id, string(body), time.Now())
	io.WriteString(w, "ok")
}

func first(v []string) string {
	if len(v) > 0 {
		return v[0]
	}
	return ""
}

var (
	slackDeadline = regexp.MustCompile(`<!date\^(\d+)\^`)
	discordTime   = regexp.MustCompile(`<t:(\d+):R>`)
)

// slackActions returns the button values in blocks (a JSON array).
func slackActions(blocks string) []string {
	var bs []struct {
		Type     string `json:"type"`
		Elements []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"elements"`
	}
	if json.Unmarshal([]byte(blocks), &bs) != nil {
		return nil
	}
	var out []string
	for _, b := range bs {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			if e.Type == "button" {
				out = append(out, e.Value)
			}
		}
	}
	return out
}

// slackRound reads a round's message (buttons "r:ID:LETTER"), or nil.
func slackRound(channel, ts, blocks string) *message {
	actions := answersOnly(slackActions(blocks))
	id := roundOf(actions)
	if id == 0 {
		return nil
	}
	m := &message{Platform: "slack", Channel: channel, Ref: ts, RoundID: id, Actions: actions, Echo: blocks, PostedAt: time.Now()}
	if s := slackDeadline.FindStringSubmatch(blocks); s != nil {
		sec, _ := strconv.ParseInt(s[1], 10, 64)
		m.Deadline = time.Unix(sec, 0)
	}
	return m
}

// answerButtons reports whether actions hold a round's answer buttons; an
// edit without them is the reveal (other buttons, such as a report button,
// may stay).
func answerButtons(actions []string) bool {
	for _, a := range actions {
		if strings.HasPrefix(a, "r:") {
			return true
		}
	}
	return false
}

// answersOnly keeps the answer buttons "r:ID:LETTER" of actions.
func answersOnly(actions []string) []string {
	var out []string
	for _, a := range actions {
		if strings.HasPrefix(a, "r:") {
			out = append(out, a)
		}
	}
	return out
}

// roundOf returns the round id of answer buttons "r:ID:LETTER", or 0.
func roundOf(actions []string) uint64 {
	if len(actions) == 0 {
		return 0
	}
	parts := strings.Split(actions[0], ":")
	if len(parts) != 3 || parts[0] != "r" {
		return 0
	}
	id, _ := strconv.ParseUint(parts[1], 10, 64)
	return id
}
