package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	slackgo "github.com/slack-go/slack"
)

// size is a rough measure of how much text a question puts in a message.
func size(q *questions.Question) int {
	n := len(q.Prompt) + len(q.Code) + len(q.Explanation)
	for _, o := range q.Options {
		n += len(o.Text) + len(o.Why)
	}
	return n
}

// maxQuestion is a synthetic question at every format limit.
func maxQuestion() *questions.Question {
	q := &questions.Question{
		ID: "max", Category: "advanced", Difficulty: 3, Tags: []string{"gather"}, Python: "3.11", Kind: "output",
		Prompt: strings.Repeat("p<&>", questions.MaxPrompt/4), Code: strings.Repeat("print('x' * 30) # pad <&> ``` more text here\n", 40)[:questions.MaxCode],
		Answer: "A", Explanation: strings.Repeat("e", questions.MaxExplanation),
	}
	for i := 0; i < 5; i++ {
		q.Options = append(q.Options, questions.Option{Text: strings.Repeat(string(rune('a'+i)), questions.MaxOptionText), Why: strings.Repeat("w", questions.MaxWhy)})
	}
	return q
}

func checkBlocks(t *testing.T, name string, blocks []slackgo.Block) {
	t.Helper()
	if len(blocks) > maxBlocks {
		t.Fatalf("%s: %d blocks, limit %d", name, len(blocks), maxBlocks)
	}
	data, _ := json.Marshal(blocks)
	var raw []map[string]any
	json.Unmarshal(data, &raw)
	for _, b := range raw {
		switch b["type"] {
		case "header":
			if n := len([]rune(b["text"].(map[string]any)["text"].(string))); n > maxHeaderText {
				t.Fatalf("%s: header of %d chars", name, n)
			}
		case "section":
			if n := len([]rune(b["text"].(map[string]any)["text"].(string))); n > maxSectionText {
				t.Fatalf("%s: section of %d chars", name, n)
			}
		case "context":
			if n := len(b["elements"].([]any)); n > 10 {
				t.Fatalf("%s: context with %d elements", name, n)
			}
		case "actions":
			els := b["elements"].([]any)
			if len(els) > 25 {
				t.Fatalf("%s: %d buttons", name, len(els))
			}
			for _, e := range els {
				el := e.(map[string]any)
				if n := len([]rune(el["text"].(map[string]any)["text"].(string))); n > maxButtonText {
					t.Fatalf("%s: button text of %d chars", name, n)
				}
				if n := len(el["action_id"].(string)); n > 255 {
					t.Fatalf("%s: action_id of %d chars", name, n)
				}
				if n := len(el["value"].(string)); n > maxActionValue {
					t.Fatalf("%s: value of %d chars", name, n)
				}
			}
		}
	}
}

// Every message stays inside Block Kit limits, for the longest question in
// the bank and for a synthetic one at every format limit.
func TestBlocks_WithinLimits(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	longest := bank.Questions[0]
	for _, q := range bank.Questions {
		if size(q) > size(longest) {
			longest = q
		}
	}
	for _, q := range []*questions.Question{longest, maxQuestion()} {
		r := quiz.Round{ID: 1 << 62, ClosesAt: time.Now()}
		checkBlocks(t, q.ID+" round", Blocks(bot.RoundMessage(r, q, 1000)))
		users := make([]quiz.Answer, 500)
		for i := range users {
			users[i] = quiz.Answer{UserName: strings.Repeat("n", 80)}
		}
		res := quiz.Result{Round: r, Question: q, Counts: make([]int, len(q.Options)), Total: 1000, CorrectUsers: users}
		checkBlocks(t, q.ID+" reveal", Blocks(bot.RevealMessage(res)))
		checkBlocks(t, q.ID+" card", Blocks(bot.QuestionMessage(q, true)))
	}
}

func TestBlocks_EscapesMarkup(t *testing.T) {
	blocks := Blocks(bot.Message{Text: "<!channel> & <@U1>"})
	data, _ := json.Marshal(blocks)
	if strings.Contains(string(data), "\\u003c!channel") {
		t.Fatalf("unescaped mention in %s", data)
	}
}
