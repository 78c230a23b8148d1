package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	dto "github.com/prometheus/client_model/go"
)

func roundMessage() bot.Message {
	return bot.Message{Key: bot.RoundKey(42), Text: "q", Buttons: []bot.Button{{Label: "A", Action: "r:42:A"}, {Label: "B", Action: "r:42:B"}}}
}

// A channel message carries a nonce derived from its key, within
// Discord's 25 characters, with enforce_nonce.
func TestPost_NonceFromKey(t *testing.T) {
	h := newHarness(t)
	if _, err := h.a.Post(context.Background(), "C1", roundMessage()); err != nil {
		t.Fatal(err)
	}
	body := h.fake.Calls("POST", "/channels/C1/messages")[0].Body
	n, _ := body["nonce"].(string)
	if n == "" || len(n) > 25 || n != nonce(bot.RoundKey(42)) || body["enforce_nonce"] != true {
		t.Fatalf("nonce %q enforce %v, want a stable nonce of at most 25 characters, enforced", n, body["enforce_nonce"])
	}
	if nonce(bot.RoundKey(1<<63)) == nonce(bot.RoundKey(42)) || len(nonce(bot.RoundKey(1<<63))) > 25 {
		t.Fatal("nonces of different keys collide or are too long")
	}
}

// A post Discord applied but whose response was lost (500 after
// creating) is retried with Retry set, and the retry returns the message
// that landed: one message in the channel. Both ways are checked: the
// nonce (Discord returns the message for a few minutes) and, once Discord
// has forgotten the nonce, the look among the channel's recent messages.
func TestPost_LostResponseIsNotPostedTwice(t *testing.T) {
	for _, forgetNonce := range []bool{false, true} {
		t.Run(fmt.Sprintf("nonce forgotten %v", forgetNonce), func(t *testing.T) {
			h := newHarness(t)
			h.fake.inject(fault{Method: "POST", Prefix: "/channels/C1/messages", Status: 500, Body: `{"message":"500: Internal Server Error","code":0}`, Apply: true, Times: 1})
			_, err := h.a.Post(context.Background(), "C1", roundMessage())
			if err == nil || errors.Is(err, bot.ErrRejected) {
				t.Fatalf("first post: %v, want an unknown outcome", err)
			}
			if forgetNonce {
				h.fake.mu.Lock()
				clear(h.fake.nonces)
				h.fake.mu.Unlock()
			}
			m := roundMessage()
			m.Retry = true
			ref, err := h.a.Post(context.Background(), "C1", m)
			if err != nil || ref != h.fake.lastMessage("C1") {
				t.Fatalf("retry: %q, %v; want the message that landed (%s)", ref, err, h.fake.lastMessage("C1"))
			}
			if n := h.fake.messageCount("C1"); n != 1 {
				t.Fatalf("%d messages in the channel, want 1", n)
			}
		})
	}
}

// Through the bot: a start whose post response is lost tells the person
// the truth, the retry adopts the message, and clicks on it count.
func TestPost_LostResponseThroughTheBot(t *testing.T) {
	h := newHarness(t)
	h.fake.inject(fault{Method: "POST", Prefix: "/channels/C1/messages", Status: 500, Body: `{"message":"oops","code":0}`, Apply: true, Times: 1})
	reply := h.command("U1", 0, "start", map[string]any{"duration": "2h"})
	wantContains(t, "start reply", reply.Raw, "did not confirm", "once")
	h.clock.Add(time.Minute)
	if _, err := h.bot.Rounds().RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.messageCount("C1"); n != 1 {
		t.Fatalf("%d messages in the channel, want 1", n)
	}
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)
	wantContains(t, "click", raw(h.click("U2", ids["A"], false)), "Locked in A")
}

// Definite refusals wrap bot.ErrRejected; a server error does not.
func TestPost_RefusalsAreRejected(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		rejected bool
	}{
		{403, `{"message":"Missing Access","code":50001}`, true},
		{404, `{"message":"Unknown Channel","code":10003}`, true},
		{403, `{"message":"Missing Permissions","code":50013}`, true},
		{400, `{"message":"Thread is locked","code":160005}`, true},
		{500, `{"message":"500: Internal Server Error","code":0}`, false},
		{503, `upstream connect error`, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status, tc.body), func(t *testing.T) {
			h := newHarness(t)
			h.fake.inject(fault{Method: "POST", Prefix: "/channels/C1/messages", Status: tc.status, Body: tc.body, Times: 1})
			_, err := h.a.Post(context.Background(), "C1", roundMessage())
			if err == nil || errors.Is(err, bot.ErrRejected) != tc.rejected {
				t.Fatalf("Post: %v, rejected %v, want %v", err, errors.Is(err, bot.ErrRejected), tc.rejected)
			}
		})
	}
	h := newHarness(t)
	h.fake.inject(fault{Method: "POST", Prefix: "/channels/C1/messages", Status: 403, Body: `{"message":"Missing Access","code":50001}`, Times: 1})
	wantContains(t, "start refused", h.command("U1", 0, "start", nil).Raw, "could not post the question in this channel")
}

// A reveal in a thread that archived itself unarchives it (Send Messages
// in Threads allows that) and edits; a locked thread is a refusal.
func TestEdit_ArchivedThread(t *testing.T) {
	h := newHarness(t)
	ref, _ := h.a.Post(context.Background(), "T1", roundMessage())
	h.fake.mu.Lock()
	h.fake.archived["T1"] = true
	h.fake.mu.Unlock()
	if err := h.a.Edit(context.Background(), "T1", ref, bot.Message{Text: "revealed"}); err != nil {
		t.Fatalf("Edit in an archived thread: %v", err)
	}
	if c := h.fake.Calls("PATCH", "/channels/T1"); len(c) != 3 || c[1].Body["archived"] != false {
		t.Fatalf("calls %v, want edit, unarchive, edit", c)
	}

	h.fake.mu.Lock()
	h.fake.archived["T1"] = true
	h.fake.mu.Unlock()
	h.fake.inject(fault{Method: "PATCH", Prefix: "/channels/T1", Status: 400, Body: `{"message":"Thread is archived","code":50083}`, Times: 1})
	h.fake.inject(fault{Method: "PATCH", Prefix: "/channels/T1", Status: 403, Body: `{"message":"Thread is locked","code":160005}`, Times: 1})
	if err := h.a.Edit(context.Background(), "T1", ref, bot.Message{Text: "revealed"}); !errors.Is(err, bot.ErrRejected) {
		t.Fatalf("Edit in a locked thread: %v, want ErrRejected", err)
	}
}

func repliesFailed() float64 {
	var m dto.Metric
	metrics.RepliesFailed.WithLabelValues(Name).Write(&m)
	return m.GetCounter().GetValue()
}

// The deferred reply is retried until it lands; a token Discord no longer
// knows, or one past its 15 minutes, is given up, logged and counted.
func TestReply_RetriedThenGivenUp(t *testing.T) {
	t.Run("retried", func(t *testing.T) {
		h := newHarness(t)
		h.fake.inject(fault{Method: "PATCH", Prefix: "/webhooks/", Status: 500, Body: `{"message":"oops","code":0}`, Times: 3})
		before := repliesFailed()
		reply := h.command("U1", 0, "stats", nil)
		h.a.Wait(t.Context())
		if n := len(h.fake.Calls("PATCH", "/webhooks/")); n != 4 {
			t.Fatalf("%d edits, want 3 failures and the one that landed", n)
		}
		wantContains(t, "reply", reply.Raw, "No answers yet")
		if repliesFailed() != before {
			t.Fatal("a delivered reply was counted as failed")
		}
	})
	t.Run("unknown interaction", func(t *testing.T) {
		h := newHarness(t)
		h.fake.inject(fault{Method: "PATCH", Prefix: "/webhooks/", Status: 404, Body: `{"message":"Unknown interaction","code":10062}`, Times: 100})
		before := repliesFailed()
		h.post(h.commandJSON("U1", 0, "stats", nil), nil)
		h.a.Wait(t.Context())
		if n := len(h.fake.Calls("PATCH", "/webhooks/")); n != 1 || repliesFailed() != before+1 {
			t.Fatalf("%d edits, failed %v; want 1 and counted", n, repliesFailed()-before)
		}
	})
	t.Run("token expired", func(t *testing.T) {
		h := newHarness(t)
		h.fake.inject(fault{Method: "PATCH", Prefix: "/webhooks/", Status: 500, Body: `{"message":"oops","code":0}`, Times: 1000})
		before := repliesFailed()
		body := h.commandJSON("U1", 0, "stats", nil)
		old := strings.Replace(body, `"id":"`+interactionID(t, body)+`"`,
			`"id":"`+fmt.Sprint(uint64(time.Now().Add(-tokenLife).UnixMilli()-discordEpoch)<<22)+`"`, 1)
		h.post(old, nil)
		h.a.Wait(t.Context())
		if n := len(h.fake.Calls("PATCH", "/webhooks/")); n != 1 || repliesFailed() != before+1 {
			t.Fatalf("%d edits, failed %v; want 1 and counted", n, repliesFailed()-before)
		}
	})
}

// Private replies reuse connections: a burst of 1,000 concurrent ones
// (each its own interaction, so discordgo's per-route lock does not
// serialise them) goes over at most maxConns TCP connections.
func TestReply_ReusesConnections(t *testing.T) {
	h := newHarness(t)
	h.a.log = slog.New(slog.DiscardHandler)
	h.fake.latency = 20 * time.Millisecond
	var wg sync.WaitGroup
	for range 1000 {
		i, _ := decode([]byte(h.commandJSON("U1", 0, "stats", nil)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.a.editOriginal(context.Background(), i, bot.Reply{Message: bot.Message{Text: "Locked in A."}})
		}()
	}
	wg.Wait()
	h.fake.mu.Lock()
	conns := h.fake.conns
	h.fake.mu.Unlock()
	t.Logf("1000 replies over %d connections", conns)
	if conns > maxConns {
		t.Fatalf("1000 replies opened %d connections, want at most %d", conns, maxConns)
	}
}

// discordgo's own log lines go to slog as JSON, none as plain text.
func TestLibraryLogIsJSON(t *testing.T) {
	var plain, structured bytes.Buffer
	prev := log.Writer()
	log.SetOutput(&plain)
	t.Cleanup(func() { log.SetOutput(prev) })
	h := newHarness(t)
	ad, err := New(Config{BotToken: "test-token", APIURL: h.fake.srv.URL + "/api/v10", Log: slog.New(slog.NewJSONHandler(&structured, nil))}, h.bot)
	if err != nil {
		t.Fatal(err)
	}
	// A 429 whose body is not JSON makes discordgo log an error.
	h.fake.inject(fault{Method: "POST", Prefix: "/channels/C1/messages", Status: 429, Body: "slow down", Times: 1})
	ad.Post(context.Background(), "C1", bot.Message{Text: "x"})
	if plain.Len() != 0 {
		t.Fatalf("plain-text log lines: %q", plain.String())
	}
	if !strings.Contains(structured.String(), `"library":"discordgo"`) || !strings.Contains(structured.String(), "rate limit unmarshal error") {
		t.Fatalf("discordgo's line not in the JSON log: %q", structured.String())
	}
}
