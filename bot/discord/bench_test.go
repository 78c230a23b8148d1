package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/bwmarrin/discordgo"
)

func benchMessages(b *testing.B) map[string]bot.Message {
	bank, err := questions.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	return bottest.Messages(bottest.Longest(bank))
}

// Checking the Ed25519 signature of a button click in a guild and decoding
// it, with the round's message (embed and buttons) in the payload as
// Discord sends it.
func BenchmarkInteraction_VerifyAndDecode(b *testing.B) {
	var round bot.Message
	for name, m := range benchMessages(b) {
		if strings.HasSuffix(name, " round") {
			round = m
		}
	}
	body, _ := json.Marshal(map[string]any{
		"id": "1160000000000000032", "application_id": "123456", "type": 3, "token": "aW50ZXJhY3Rpb246MTE2MDAwMDAwMDAwMDAwMDAzMg",
		"guild_id": "200000000000000001", "channel_id": "300000000000000001", "version": 1, "locale": "en-GB",
		"member": map[string]any{"permissions": "0", "user": map[string]any{"id": "600000000000000001", "username": "ada", "global_name": "Ada"}},
		"message": map[string]any{"id": "800000000000000001", "channel_id": "300000000000000001", "flags": 0,
			"author": map[string]any{"id": "100000000000000001", "username": "asyncquiz", "bot": true},
			"embeds": []*discordgo.MessageEmbed{Embed(round)}, "components": Components(round)},
		"data": map[string]any{"custom_id": round.Buttons[0].Action, "component_type": 2},
	})
	pub, priv, _ := ed25519.GenerateKey(nil)
	a := &Adapter{pub: pub, now: time.Now}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...)))
		if err := a.verify(sig, ts, body); err != nil {
			b.Fatal(err)
		}
		in, err := decode(body)
		if err != nil || in.Type != discordgo.InteractionMessageComponent {
			b.Fatalf("decoded %+v, %v", in, err)
		}
	}
}

// Rendering each kind of message as Discord's embed and components JSON,
// for the longest question in the bank.
func BenchmarkRender(b *testing.B) {
	for name, m := range benchMessages(b) {
		b.Run(strings.Fields(name)[1], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				data, err := json.Marshal(map[string]any{"embeds": []*discordgo.MessageEmbed{Embed(m)}, "components": Components(m)})
				if err != nil || len(data) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
