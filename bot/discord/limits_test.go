package discord

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/bwmarrin/discordgo"
)

func ed25519GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(nil)
}

func size(q *questions.Question) int {
	n := len(q.Prompt) + len(q.Code) + len(q.Explanation)
	for _, o := range q.Options {
		n += len(o.Text) + len(o.Why)
	}
	return n
}

func maxQuestion() *questions.Question {
	q := &questions.Question{
		ID: "max", Category: "advanced", Difficulty: 3, Tags: []string{"gather"}, Python: "3.11", Kind: "output",
		Prompt: strings.Repeat("p@everyone ", questions.MaxPrompt/11), Code: strings.Repeat("print('x' * 30) # ``` pad\n", 60)[:questions.MaxCode],
		Answer: "A", Explanation: strings.Repeat("e", questions.MaxExplanation),
	}
	for i := 0; i < 5; i++ {
		q.Options = append(q.Options, questions.Option{Text: strings.Repeat(string(rune('a'+i)), questions.MaxOptionText), Why: strings.Repeat("w", questions.MaxWhy)})
	}
	return q
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
	for _, row := range Components(m) {
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
	longest := bank.Questions[0]
	for _, q := range bank.Questions {
		if size(q) > size(longest) {
			longest = q
		}
		// Every redo button's custom id carries the question id.
		checkMessage(t, q.ID, bot.QuestionMessage(q, true))
	}
	for _, q := range []*questions.Question{longest, maxQuestion()} {
		r := quiz.Round{ID: 1 << 62, ClosesAt: time.Now()}
		checkMessage(t, q.ID+" round", bot.RoundMessage(r, q, 1000))
		users := make([]quiz.Answer, 500)
		for i := range users {
			users[i] = quiz.Answer{UserName: strings.Repeat("n", 80)}
		}
		res := quiz.Result{Round: r, Question: q, Counts: make([]int, len(q.Options)), Total: 1000, CorrectUsers: users}
		checkMessage(t, q.ID+" reveal", bot.RevealMessage(res))
	}
}
