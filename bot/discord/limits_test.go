package discord

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/bwmarrin/discordgo"
)

func ed25519GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(nil)
}

func checkMessage(t *testing.T, name string, m bot.Message) {
	t.Helper()
	e := Embed(m)
	runes := func(s string) int { return len([]rune(s)) }
	total := runes(e.Title) + runes(e.Description)
	if runes(e.Title) > maxTitle || runes(e.Description) > maxDescription || len(e.Fields) > maxFields {
		t.Fatalf("%s: title %d, description %d, fields %d", name, runes(e.Title), runes(e.Description), len(e.Fields))
	}
	for _, f := range e.Fields {
		if runes(f.Name) > maxFieldName || runes(f.Value) > maxFieldValue {
			t.Fatalf("%s: field %d/%d", name, runes(f.Name), runes(f.Value))
		}
		total += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		total += runes(e.Footer.Text)
	}
	if total > maxEmbedTotal {
		t.Fatalf("%s: embed total %d > %d", name, total, maxEmbedTotal)
	}
	if strings.Contains(e.Description, "@everyone") {
		t.Fatalf("%s: unescaped @everyone", name)
	}
	rows := Components(m)
	if len(rows) > maxRows {
		t.Fatalf("%s: %d action rows", name, len(rows))
	}
	ids := map[string]string{}
	for _, row := range rows {
		for _, b := range row.(discordgo.ActionsRow).Components {
			ids[b.(discordgo.Button).Label] = b.(discordgo.Button).CustomID
		}
	}
	for _, b := range m.Buttons {
		if ids[b.Label] != b.Action {
			t.Fatalf("%s: button %s has custom id %q, want %q", name, b.Label, ids[b.Label], b.Action)
		}
	}
	if m.Report != nil {
		last := rows[len(rows)-1].(discordgo.ActionsRow).Components
		if len(last) != 1 || last[0].(discordgo.Button).CustomID != m.Report.Action || last[0].(discordgo.Button).Style != discordgo.SecondaryButton {
			t.Fatalf("%s: last row %+v, want the report button alone, secondary", name, last)
		}
	}
	for _, row := range rows {
		btns := row.(discordgo.ActionsRow).Components
		if len(btns) > buttonsPerRow {
			t.Fatalf("%s: %d buttons in a row", name, len(btns))
		}
		for _, b := range btns {
			btn := b.(discordgo.Button)
			if runes(btn.Label) > maxButtonLabel || len(btn.CustomID) > maxCustomID || btn.CustomID == "" {
				t.Fatalf("%s: button %q / %q", name, btn.Label, btn.CustomID)
			}
		}
	}
}

// Every message stays inside Discord's limits, for the longest question in
// the bank and a synthetic one at every format limit.
func TestEmbed_WithinLimits(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range bank.Questions {
		// Every redo button's custom id carries the question id.
		checkMessage(t, q.ID, bot.QuestionMessage(q, q.Order(1), true))
	}
	for _, q := range []*questions.Question{bottest.Longest(bank), bottest.MaxQuestion()} {
		for name, m := range bottest.Messages(q) {
			checkMessage(t, name, m)
		}
	}
}
