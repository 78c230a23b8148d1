package slack

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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
			blocks := Blocks(m)
			checkBlocks(t, name, blocks)
			// Cut to fit or not, the message keeps its buttons: every
			// answer, and the report where there is one.
			data, _ := json.Marshal(blocks)
			got := buttons(t, string(data))
			if m.Report != nil && got[m.Report.Label] != m.Report.Action {
				t.Errorf("%s: report button %q, want %q", name, got[m.Report.Label], m.Report.Action)
			}
			for _, b := range m.Buttons {
				if got[b.Label] != b.Action {
					t.Errorf("%s: button %s is %q, want %q", name, b.Label, got[b.Label], b.Action)
				}
			}
		}
	}
}

// The report button sits after the answers of a drill card, in their
// block, and alone in a block of its own on a reveal.
func TestBlocks_ReportButton(t *testing.T) {
	report := &bot.Button{Label: "Report a problem", Action: "p:d:7:2"}
	card := Blocks(bot.Message{Title: "Drill", Buttons: []bot.Button{{Label: "A", Action: "d:7:2:A"}, {Label: "B", Action: "d:7:2:B"}}, Report: report})
	reveal := Blocks(bot.Message{Title: "Revealed", Report: report})
	for name, tc := range map[string]struct {
		blocks []slackgo.Block
		id     string
		n      int
	}{"drill card": {card, "answers", 3}, "reveal": {reveal, "report", 1}} {
		last, ok := tc.blocks[len(tc.blocks)-1].(*slackgo.ActionBlock)
		if !ok || last.BlockID != tc.id || len(last.Elements.ElementSet) != tc.n {
			t.Fatalf("%s: last block %+v, want actions %q with %d buttons", name, tc.blocks[len(tc.blocks)-1], tc.id, tc.n)
		}
		btn := last.Elements.ElementSet[tc.n-1].(*slackgo.ButtonBlockElement)
		if btn.ActionID != "report" || btn.Value != "p:d:7:2" || btn.Text.Text != "Report a problem" {
			t.Fatalf("%s: report button %+v", name, btn)
		}
	}
	if b := Blocks(bot.Message{Title: "No buttons"}); len(b) != 1 {
		t.Fatalf("a message without buttons has %d blocks, want no actions block", len(b))
	}
}

func TestBlocks_EscapesMarkup(t *testing.T) {
	blocks := Blocks(bot.Message{Text: "<!channel> & <@U1>"})
	data, _ := json.Marshal(blocks)
	if strings.Contains(string(data), "\\u003c!channel") {
		t.Fatalf("unescaped mention in %s", data)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files")

// bankTexts are every prose text of a question, by field.
func bankTexts(q *questions.Question) [][2]string {
	out := [][2]string{{"prompt", q.Prompt}, {"explanation", q.Explanation}}
	for i, o := range q.Options {
		l := questions.Letter(i)
		if q.Kind != "output" && q.Kind != "timing" {
			out = append(out, [2]string{"option " + l, o.Text})
		}
		if o.Why != "" {
			out = append(out, [2]string{"why " + l, o.Why})
		}
	}
	return out
}

// texts collects every text object's text in blocks.
func texts(t *testing.T, blocks []slackgo.Block) []string {
	data, _ := json.Marshal(blocks)
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok && x["type"] == "mrkdwn" {
				if x["verbatim"] != true {
					t.Errorf("mrkdwn without verbatim: %q", s)
				}
				out = append(out, s)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var raw any
	json.Unmarshal(data, &raw)
	walk(raw)
	return out
}

// Issues 12.5 and 13.6, over the whole bank: every message of every
// question stays within Block Kit's limits, and every text from the bank
// reads exactly as written (code spans as code, nothing else formatted,
// no link or mention), with the code in code blocks.
func TestBlocks_BankReadsAsWritten(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	var golden strings.Builder
	for _, q := range bank.Questions {
		msgs := bottest.Messages(q)
		for name, m := range msgs {
			checkBlocks(t, name, Blocks(m))
		}
		reveal := strings.Join(texts(t, Blocks(msgs[q.ID+" reveal"])), "\n")
		for _, f := range bankTexts(q) {
			got := prose(f[1])
			shown, reshaped := readMrkdwn(got)
			if len(reshaped) > 0 {
				t.Errorf("%s %s: %q is reshaped in Slack: %v", q.ID, f[0], got, reshaped)
			}
			if want := strings.ReplaceAll(f[1], "`", ""); shown != want {
				t.Errorf("%s %s shows\n%q\nwant\n%q", q.ID, f[0], shown, want)
			}
			if !strings.Contains(reveal, got) {
				t.Errorf("%s %s: the reveal does not carry %q", q.ID, f[0], got)
			}
			if got != escape(f[1]) {
				fmt.Fprintf(&golden, "%s %s\n  in:  %s\n  out: %s\n", q.ID, f[0], f[1], got)
			}
		}
		if q.Code != "" {
			want := strings.TrimRight(q.Code, "\n")
			found := false
			for _, s := range texts(t, Blocks(msgs[q.ID+" round"])) {
				if strings.HasPrefix(s, "```") {
					found = true
					if shown, _ := readMrkdwn(s); shown != want {
						t.Errorf("%s code shows\n%s\nwant\n%s", q.ID, shown, want)
					}
				}
			}
			if !found {
				t.Errorf("%s: no code block", q.ID)
			}
		}
	}
	checkGolden(t, "testdata/golden/bank-escaped.txt", golden.String())
}

// checkGolden compares got with the golden file (go test -update rewrites it).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from the rendering (go test -update rewrites it after review)", path)
	}
}

// Issue 13.6: the notification fallback `text` of a private error echoed
// <!channel> raw (a real @channel in the notification); it is escaped like
// the blocks, also in the reply sent to response_url.
func TestFallback_IsEscaped(t *testing.T) {
	m := bot.Message{Text: "Unknown option <!channel> *now*"}
	if got := Fallback(m); strings.Contains(got, "<!channel>") || got != "Unknown option &lt;!channel&gt; `*now*`" {
		t.Fatalf("Fallback=%q", got)
	}
	body, err := replyBody(bot.Reply{Message: m})
	if err != nil || strings.Contains(string(body), `\u003c!channel`) || strings.Contains(string(body), "<!channel") {
		t.Fatalf("reply body %s (%v)", body, err)
	}
}
