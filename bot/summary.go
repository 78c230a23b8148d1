package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// summaryMessage renders a channel's summary: participation, the concepts
// it missed most (each with its tip), the most improved, redo cleared.
func summaryMessage(sum quiz.TeamSummary, tips map[string]questions.Tip, title string) Message {
	m := Message{Title: "asyncquiz · " + title}
	pct := 0
	if sum.Answers > 0 {
		pct = sum.Correct * 100 / sum.Answers
	}
	m.Text = fmt.Sprintf("%s in %s, %d%% right.", people(sum.People)+" answered", plural(sum.Rounds, "round"), pct)
	if sum.Answers == 0 {
		m.Text = "Nobody answered in this channel in that time."
	}
	if len(sum.Missed) > 0 {
		var lines []string
		for _, t := range sum.Missed {
			line := fmt.Sprintf("%s: missed %d of %d", t.Tag, t.Missed, t.Answers)
			if tip, ok := tips[t.Tag]; ok {
				line += ". " + tip.Tip
			}
			lines = append(lines, line)
		}
		m.Sections = append(m.Sections, Section{Heading: "Concepts to work on", Text: strings.Join(lines, "\n")})
	}
	if len(sum.Improved) > 0 {
		var lines []string
		for _, i := range sum.Improved {
			lines = append(lines, fmt.Sprintf("%s: %d%% → %d%%", displayName(i.UserName, i.UserID), i.Before, i.After))
		}
		m.Sections = append(m.Sections, Section{Heading: "Most improved", Text: strings.Join(lines, "\n")})
	}
	m.Sections = append(m.Sections, Section{Heading: "Redo queue", Text: fmt.Sprintf("%s cleared (answered right on a second try).", plural(sum.RedoCleared, "redo question"))})
	m.Footer = "Missed questions come back to each of you in /asyncquiz redo."
	return m
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// reminderMessage nudges a person with redo questions due.
func reminderMessage(due int) Message {
	return Message{
		Title:   "asyncquiz · redo",
		Text:    fmt.Sprintf("You have %s due: the ones you missed, back for another try.", plural(due, "redo question")),
		Buttons: []Button{{Label: "Start my redo", Action: "x:start"}},
		Footer:  "Turn these reminders off with /asyncquiz remind off.",
	}
}

// teamStats is `stats team`: the channel's last 7 days, privately.
func (b *Bot) teamStats(ctx context.Context, ev Event) (Reply, error) {
	until := b.now()
	sum, err := b.store.Summary(ctx, ev.tenant(), ev.Channel, until.Add(-7*24*time.Hour), until)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Message: summaryMessage(sum, b.store.Bank().Tips, "the last 7 days in this channel")}, nil
}

func (b *Bot) remindCommand(ctx context.Context, ev Event, c Command) (Reply, error) {
	switch c.Setting {
	case "on", "off":
		if err := b.store.SetReminders(ctx, ev.tenant(), ev.User, c.Setting == "on"); err != nil {
			return Reply{}, err
		}
		if c.Setting == "on" {
			return textReply("Redo reminders are on: on a day you have redo questions due, you get one private nudge at your channel's daily time."), nil
		}
		return textReply("Redo reminders are off. Turn them back on with /asyncquiz remind on."), nil
	}
	on, err := b.store.RemindersOn(ctx, ev.tenant(), ev.User)
	if err != nil {
		return Reply{}, err
	}
	if on {
		return textReply("Redo reminders are on. Turn them off with /asyncquiz remind off."), nil
	}
	return textReply("Redo reminders are off. Turn them on with /asyncquiz remind on."), nil
}
