package slack

import (
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// Block Kit limits (PLATFORMS.md section 5).
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonText  = 75
	maxActionValue = 2000
	maxActions     = 25 // elements of an actions block
)

// truncate shortens s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// codeBlock fences code, truncating the code (not the fences) to fit.
// A ``` inside the code would end the block: a zero-width space breaks
// it, as it does a backtick at either end that would merge with a fence.
func codeBlock(code string, limit int) string {
	code = strings.TrimRight(code, "\n")
	code = strings.ReplaceAll(code, "```", "``\u200b`")
	if strings.HasPrefix(code, "`") {
		code = "\u200b" + code
	}
	if strings.HasSuffix(code, "`") {
		code += "\u200b"
	}
	return "```" + truncateEscaped(escape(code), limit-6) + "```"
}

// truncateEscaped truncates escaped text without cutting an entity.
func truncateEscaped(s string, n int) string {
	t := truncate(s, n)
	if t == s {
		return s
	}
	body := strings.TrimSuffix(t, "…")
	if amp := strings.LastIndexByte(body, '&'); amp >= 0 && !strings.Contains(body[amp:], ";") {
		body = body[:amp]
	}
	return body + "…"
}

// mrkdwn is a text object for rendered mrkdwn; verbatim, so that Slack
// links no bare URL, #channel or @mention in it.
func mrkdwn(text string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, truncateEscaped(text, maxSectionText), false, true)
}

// slackDate renders t so that every reader sees it in their own time zone.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("Jan 2 15:04 UTC"))
}

func sectionText(s bot.Section) string {
	text := prose(s.Text)
	if s.Heading != "" {
		text = "*" + oneLine(s.Heading) + "*\n" + text
	}
	return text
}

// Blocks renders a neutral message as Block Kit within Slack's limits. A
// message without buttons has no actions block, which is how a reveal
// removes them.
func Blocks(m bot.Message) []slackgo.Block {
	var blocks []slackgo.Block
	for _, s := range m.Lead {
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(sectionText(s)), nil, nil))
	}
	if m.Title != "" {
		blocks = append(blocks, slackgo.NewHeaderBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, truncate(m.Title, maxHeaderText), true, false)))
	}
	if m.Text != "" {
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(prose(m.Text)), nil, nil))
	}
	if m.Code != "" {
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(codeBlock(m.Code, maxSectionText)), nil, nil))
	}
	for _, c := range m.Choices {
		mark := c.Mark.Emoji()
		text := prose(c.Text)
		if c.Verbatim {
			text = "\n" + codeBlock(c.Text, 1000)
		}
		line := fmt.Sprintf("%s*%s.* %s", mark, c.Letter, text)
		if c.Note != "" {
			line += "\n_" + oneLine(c.Note) + "_"
		}
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(line), nil, nil))
	}
	for _, s := range m.Sections {
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(sectionText(s)), nil, nil))
	}
	var ctx []slackgo.MixedElement
	if !m.Deadline.IsZero() {
		label := m.DeadlineLabel
		if label == "" {
			label = "Closes"
		}
		ctx = append(ctx, mrkdwn(oneLine(label)+" "+slackDate(m.Deadline)))
	}
	if m.Footer != "" {
		ctx = append(ctx, mrkdwn(prose(m.Footer)))
	}
	if len(ctx) > 0 {
		blocks = append(blocks, slackgo.NewContextBlock("", ctx...))
	}
	// The buttons come last, and stay when the text is cut to fit.
	if len(blocks) > maxBlocks-1 {
		blocks = blocks[:maxBlocks-1]
	}
	if actions := actionBlock(m); actions != nil {
		blocks = append(blocks, actions)
	}
	return blocks
}

// actionBlock holds the answer buttons and, after them, the "Report a
// problem" button: one block, so a drill card's report sits in the row of
// its answers, and a reveal, whose answers are gone, keeps only the
// report. nil when the message has no buttons, which is how an edit
// removes them.
func actionBlock(m bot.Message) slackgo.Block {
	var els []slackgo.BlockElement
	for i, b := range m.Buttons {
		if i == maxActions-1 {
			break // room for the report; a question has at most 5 options
		}
		els = append(els, button(fmt.Sprintf("answer:%d", i), b))
	}
	if m.Report != nil {
		els = append(els, button("report", *m.Report))
	}
	if len(els) == 0 {
		return nil
	}
	id := "answers"
	if len(m.Buttons) == 0 {
		id = "report"
	}
	return slackgo.NewActionBlock(id, els...)
}

func button(actionID string, b bot.Button) *slackgo.ButtonBlockElement {
	return slackgo.NewButtonBlockElement(actionID, truncate(b.Action, maxActionValue),
		slackgo.NewTextBlockObject(slackgo.PlainTextType, truncate(b.Label, maxButtonText), false, false))
}

// Fallback is the text Slack shows in notifications (and instead of the
// blocks where it cannot show them): escaped like the blocks, so a
// <!channel> in it is text, not a mention.
func Fallback(m bot.Message) string {
	return oneLine(truncate(fallbackText(m), 300))
}

func fallbackText(m bot.Message) string {
	for _, s := range []string{m.Title, m.Text} {
		if s != "" {
			return s
		}
	}
	for _, s := range append(m.Lead, m.Sections...) {
		if s.Heading != "" || s.Text != "" {
			return strings.TrimSpace(s.Heading + " " + s.Text)
		}
	}
	return "asyncquiz"
}
