package discord

import (
	"fmt"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// Discord message limits (PLATFORMS.md section 5).
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxContent     = 2000
	maxButtonLabel = 80
	maxCustomID    = 100
	buttonsPerRow  = 5
	maxRows        = 5 // action rows of a message
)

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// noMentions keeps question and user text from pinging anyone: the parse
// list is empty, so no role, user or @everyone mention notifies, whatever
// the text says.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func sectionValue(s bot.Section) (string, string) {
	name, value := "\u200b", "\u200b"
	if s.Heading != "" {
		name = truncateEscaped(escapeMarkdown(s.Heading), maxFieldName)
	}
	if s.Text != "" {
		value = truncateEscaped(escapeMarkdown(s.Text), maxFieldValue)
	}
	return name, value
}

// Embed renders a neutral message as one embed within Discord's limits.
func Embed(m bot.Message) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: truncateEscaped(escapeMarkdown(m.Title), maxTitle), Color: 0x2b4a6f}
	var desc strings.Builder
	for _, s := range m.Lead {
		fmt.Fprintf(&desc, "**%s**\n%s\n\n", escapeMarkdown(s.Heading), escapeMarkdown(s.Text))
	}
	if m.Text != "" {
		desc.WriteString(escapeText(m.Text) + "\n")
	}
	if m.Code != "" {
		desc.WriteString(codeFence("py", m.Code, 1800) + "\n")
	}
	for _, c := range m.Choices {
		mark := c.Mark.Emoji()
		text := escapeMarkdown(c.Text)
		if c.Verbatim {
			text = "\n" + codeFence("", c.Text, 400)
		}
		fmt.Fprintf(&desc, "%s**%s.** %s\n", mark, escapeMarkdown(c.Letter), text)
		if c.Note != "" {
			// Escaped inside the italics, so a * in the note cannot end them.
			fmt.Fprintf(&desc, "*%s*\n", truncateEscaped(escapeMarkdown(c.Note), 400))
		}
	}
	if !m.Deadline.IsZero() {
		label := m.DeadlineLabel
		if label == "" {
			label = "Closes"
		}
		// The one place the adapter writes markup of its own: Discord shows
		// the time in each reader's zone.
		fmt.Fprintf(&desc, "\n%s <t:%d:R> (<t:%d:t>)", escapeMarkdown(label), m.Deadline.Unix(), m.Deadline.Unix())
	}
	e.Description = truncateEscaped(desc.String(), maxDescription)
	for _, s := range m.Sections {
		if len(e.Fields) == maxFields {
			break
		}
		name, value := sectionValue(s)
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value})
	}
	if m.Footer != "" {
		// Footers are not markdown: plain text reads as written.
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(visible(m.Footer), maxFooter)}
	}
	fitTotal(e)
	return e
}

// fitTotal trims the description until the embed is within the total limit.
func fitTotal(e *discordgo.MessageEmbed) {
	total := func() int {
		n := len([]rune(e.Title)) + len([]rune(e.Description))
		for _, f := range e.Fields {
			n += len([]rune(f.Name)) + len([]rune(f.Value))
		}
		if e.Footer != nil {
			n += len([]rune(e.Footer.Text))
		}
		return n
	}
	if over := total() - maxEmbedTotal; over > 0 {
		e.Description = truncateEscaped(e.Description, len([]rune(e.Description))-over)
	}
}

// Components renders the buttons as action rows of at most five, and the
// "Report a problem" button in a row of its own after them (five answers
// fill a row); a message without buttons gets an empty list, which
// removes old buttons on edit.
func Components(m bot.Message) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	var row discordgo.ActionsRow
	for _, b := range m.Buttons {
		if len(out) == maxRows-1 {
			break // the last row is the report's; a question has at most 5 options
		}
		row.Components = append(row.Components, button(b))
		if len(row.Components) == buttonsPerRow {
			out = append(out, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		out = append(out, row)
	}
	if m.Report != nil {
		out = append(out, discordgo.ActionsRow{Components: []discordgo.MessageComponent{button(*m.Report)}})
	}
	return out
}

func button(b bot.Button) discordgo.Button {
	return discordgo.Button{
		Label: truncate(visible(b.Label), maxButtonLabel), Style: discordgo.SecondaryButton, CustomID: truncate(b.Action, maxCustomID),
	}
}
