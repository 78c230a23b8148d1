package slack

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
)

// benchMessages renders the bank's longest question in every message kind.
func benchMessages(b *testing.B) map[string]bot.Message {
	bank, err := questions.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	return bottest.Messages(bottest.Longest(bank))
}

// Checking the signature of a block_actions click and decoding it, as a
// real one arrives: the round's whole message echoed back in the payload.
func BenchmarkInteraction_VerifyAndDecode(b *testing.B) {
	var round bot.Message
	for name, m := range benchMessages(b) {
		if strings.HasSuffix(name, " round") {
			round = m
		}
	}
	raw, err := os.ReadFile("testdata/payloads/standard.json")
	if err != nil {
		b.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(bytes.ReplaceAll(raw, []byte("{{TS}}"), []byte("1700000000.000100")), &payload); err != nil {
		b.Fatal(err)
	}
	payload["message"].(map[string]any)["blocks"] = Blocks(round)
	payload["response_url"] = "https://hooks.slack.com/actions/T1/1/abc"
	data, _ := json.Marshal(payload)
	body := url.Values{"payload": {string(data)}}.Encode()
	a := &Adapter{secret: testSecret, log: slog.New(slog.DiscardHandler)}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(body))
		sign(r, body, time.Now(), testSecret)
		form, ok := a.verified(httptest.NewRecorder(), r)
		if !ok {
			b.Fatal("signature refused")
		}
		c, ok, err := decodeInteraction([]byte(form.Get("payload")))
		if !ok || err != nil || c.user != "U0CA5" {
			b.Fatalf("decoded %+v, %v, %v", c, ok, err)
		}
	}
}

// Rendering each kind of message as Block Kit JSON, for the longest
// question in the bank.
func BenchmarkRender(b *testing.B) {
	for name, m := range benchMessages(b) {
		b.Run(strings.Fields(name)[1], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				data, err := json.Marshal(Blocks(m))
				if err != nil || len(data) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
