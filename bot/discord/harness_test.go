package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

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
	users := map[string]any{}
	for k, v := range opts {
		typ := 3
		switch u := v.(type) {
		case int:
			typ = 4
		case bool:
			typ = 5
		case userOption:
			// A user option's value is the id; Discord resolves the user.
			typ, v = 6, u.id
			users[u.id] = map[string]any{"id": u.id, "username": u.name}
		}
		options = append(options, map[string]any{"name": k, "type": typ, "value": v})
	}
	data := map[string]any{"id": "cmd", "name": "asyncquiz", "type": 1,
		"options": []map[string]any{{"name": sub, "type": 1, "options": options}}}
	if len(users) > 0 {
		data["resolved"] = map[string]any{"users": users}
	}
	body, _ := json.Marshal(map[string]any{
		"id": snowflake(h.n), "application_id": "123456", "type": 2, "token": fmt.Sprintf("tok%d", h.n),
		"guild_id": "G1", "channel_id": "C1", "member": member(user, perms), "data": data,
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

// userOption is a user option's value in commandJSON.
type userOption struct{ id, name string }
