package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
	slackgo "github.com/slack-go/slack"
)

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
	for _, q := range []*questions.Question{bottest.Longest(bank), bottest.MaxQuestion()} {
		for name, m := range bottest.Messages(q) {
			checkBlocks(t, name, Blocks(m))
		}
	}
}

func TestBlocks_EscapesMarkup(t *testing.T) {
	blocks := Blocks(bot.Message{Text: "<!channel> & <@U1>"})
	data, _ := json.Marshal(blocks)
	if strings.Contains(string(data), "\\u003c!channel") {
		t.Fatalf("unescaped mention in %s", data)
	}
}
