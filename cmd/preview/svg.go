package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/discord"
	"github.com/asyncquiz/asyncquiz/bot/slack"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/bwmarrin/discordgo"
)

// previewMessage builds the round message of q, or its reveal with a sample
// result (12 answers, most of them right), as the platforms receive it.
func previewMessage(q *questions.Question, reveal bool) bot.Message {
	r := quiz.Round{ID: 42, QuestionID: q.ID, ClosesAt: time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), OptionOrder: q.Order(42).String()}
	if !reveal {
		return bot.RoundMessage(r, q, 7)
	}
	counts := make([]int, len(q.Options))
	right := q.AnswerIndex()
	counts[right] = 7
	for i := range counts {
		if i != right && counts[i] == 0 {
			counts[i] = 5 / (len(counts) - 1)
		}
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	var users []quiz.Answer
	for _, n := range []string{"ada", "grace", "linus", "guido", "barbara", "ken", "margaret"} {
		users = append(users, quiz.Answer{UserName: n})
	}
	return bot.RevealMessage(quiz.Result{Round: r, Question: q, Counts: counts, Total: total, CorrectUsers: users})
}

// svgDoc accumulates lines of a chat-message mock-up.
type svgDoc struct {
	sb    strings.Builder
	y     int
	width int
}

const lineHeight = 20

func (d *svgDoc) text(s string, x int, class string) {
	for _, line := range wrap(s, (d.width-x-20)/8) {
		d.y += lineHeight
		fmt.Fprintf(&d.sb, `<text x="%d" y="%d" class="%s">%s</text>`+"\n", x, d.y, class, html.EscapeString(line))
	}
}

func (d *svgDoc) code(s string, x int) {
	// Long lines are folded at the box's edge (marked with a hook), never
	// cut: the picture must show the whole program.
	var lines []string
	n := (d.width - x - 20) * 10 / 78 // monospace 13px is about 7.8px a character
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		r := []rune(l)
		for len(r) > n {
			lines = append(lines, string(r[:n-1])+"↩")
			r = append([]rune("  "), r[n-1:]...)
		}
		lines = append(lines, string(r))
	}
	fmt.Fprintf(&d.sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="4" class="codebg"/>`+"\n", x-6, d.y+6, d.width-x-14, len(lines)*18+8)
	for _, l := range lines {
		d.y += 18
		fmt.Fprintf(&d.sb, `<text x="%d" y="%d" class="code" xml:space="preserve">%s</text>`+"\n", x, d.y+4, html.EscapeString(l))
	}
	d.y += 10
}

func (d *svgDoc) buttons(labels []string, x int) {
	d.y += 12
	for _, l := range labels {
		// A letter sits in a square button; a longer label gets the width
		// of its text (about 8 px a character in bold 14 px).
		w, pad := 44, 17
		if n := len([]rune(l)); n > 1 {
			w, pad = 8*n+24, 12
		}
		fmt.Fprintf(&d.sb, `<rect x="%d" y="%d" width="%d" height="28" rx="4" class="button"/><text x="%d" y="%d" class="buttontext">%s</text>`+"\n",
			x, d.y, w, x+pad, d.y+19, html.EscapeString(l))
		x += w + 8
	}
	d.y += 34
}

func (d *svgDoc) finish(w io.Writer, bg, title string) error {
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">
<title>%s</title>
<style>
text { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 14px; fill: %s; }
.h { font-size: 17px; font-weight: bold; } .b { font-weight: bold; } .small { font-size: 12px; fill: #8a8f98; }
.code { font-family: "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
.codebg { fill: %s; } .button { fill: none; stroke: #8a8f98; } .buttontext { font-weight: bold; }
</style>
<rect width="100%%" height="100%%" fill="%s"/>
%s</svg>
`, d.width, d.y+20, d.width, d.y+20, html.EscapeString(title), map[bool]string{true: "#dcddde", false: "#1d1c1d"}[bg != "#ffffff"],
		map[bool]string{true: "#2f3136", false: "#f4f4f4"}[bg != "#ffffff"], bg, d.sb.String())
	return err
}

func wrap(s string, n int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		line := ""
		for _, w := range words {
			if line != "" && len(line)+1+len(w) > n {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		out = append(out, line)
	}
	return out
}

var (
	fence     = regexp.MustCompile("(?s)```(?:py)?\n?(.*?)\n?```")
	slackDate = regexp.MustCompile(`<!date\^\d+\^[^|]*\|([^>]*)>`)
	discordTS = regexp.MustCompile(`<t:\d+:R> \(<t:\d+:t>\)`)
)

// drawText draws mrkdwn or markdown text, with fenced code as code blocks;
// plain takes the text's emphasis marks off.
func (d *svgDoc) drawText(s string, x int, plain func(string) string) {
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	s = slackDate.ReplaceAllString(s, "$1")
	s = discordTS.ReplaceAllString(s, "in 6 hours (16:00)")
	for s != "" {
		loc := fence.FindStringSubmatchIndex(s)
		if loc == nil {
			d.text(strings.Trim(plain(s), "\n"), x, "")
			return
		}
		if before := strings.Trim(plain(s[:loc[0]]), "\n "); before != "" {
			d.text(before, x, "")
		}
		d.code(s[loc[2]:loc[3]], x+6)
		s = s[loc[1]:]
	}
}

var (
	slackBold   = regexp.MustCompile(`\*([^*\n]+)\*`)
	slackItalic = regexp.MustCompile(`(?m)^_(.*)_$`)
)

// slackPlain takes off the bold and italic marks the Slack adapter adds:
// underscores inside words (__aexit__, snake_case) stay, since mrkdwn
// italics only wrap whole lines here.
func slackPlain(s string) string {
	return slackBold.ReplaceAllString(slackItalic.ReplaceAllString(s, "$1"), "$1")
}

// discordPlain takes off markdown emphasis and keeps what the Discord
// adapter escaped with a backslash (\_ is an underscore, not italics).
func discordPlain(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '\\' && i+1 < len(r) && r[i+1] < 128 && strings.ContainsRune("\\`*_{}[]()<>#+-.!|~@:", r[i+1]):
			i++
			b.WriteRune(r[i])
		case c == '*' || c == '_':
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// slackSVG draws the Block Kit blocks the Slack adapter sends.
func slackSVG(w io.Writer, m bot.Message) error {
	d := &svgDoc{width: 760}
	d.text("asyncquiz  APP", 20, "b")
	data, _ := json.Marshal(slack.Blocks(m))
	var blocks []map[string]any
	json.Unmarshal(data, &blocks)
	for _, b := range blocks {
		switch b["type"] {
		case "header":
			d.y += 6
			d.text(b["text"].(map[string]any)["text"].(string), 20, "h")
		case "section":
			d.y += 4
			d.drawText(b["text"].(map[string]any)["text"].(string), 20, slackPlain)
		case "context":
			for _, e := range b["elements"].([]any) {
				t := slackDate.ReplaceAllString(e.(map[string]any)["text"].(string), "$1")
				d.text(slackPlain(t), 20, "small")
			}
		case "actions":
			var labels []string
			for _, e := range b["elements"].([]any) {
				labels = append(labels, e.(map[string]any)["text"].(map[string]any)["text"].(string))
			}
			d.buttons(labels, 20)
		}
	}
	return d.finish(w, "#ffffff", "asyncquiz on Slack")
}

// discordSVG draws the embed and components the Discord adapter sends.
func discordSVG(w io.Writer, m bot.Message) error {
	d := &svgDoc{width: 760}
	d.text("asyncquiz  BOT", 20, "b")
	e := discord.Embed(m)
	start := d.y
	d.y += 6
	d.text(e.Title, 34, "h")
	d.drawText(e.Description, 34, discordPlain)
	for _, f := range e.Fields {
		d.y += 4
		d.text(discordPlain(f.Name), 34, "b")
		d.drawText(f.Value, 34, discordPlain)
	}
	if e.Footer != nil {
		d.text(e.Footer.Text, 34, "small")
	}
	fmt.Fprintf(&d.sb, `<rect x="20" y="%d" width="4" height="%d" fill="#2b4a6f"/>`+"\n", start+6, d.y-start)
	for _, row := range discord.Components(m) {
		var labels []string
		for _, c := range row.(discordgo.ActionsRow).Components {
			labels = append(labels, c.(discordgo.Button).Label)
		}
		d.buttons(labels, 34)
	}
	return d.finish(w, "#36393f", "asyncquiz on Discord")
}
