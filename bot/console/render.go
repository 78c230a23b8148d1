package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
)

// Render draws a message as plain terminal text, with times in loc.
func Render(m bot.Message, loc *time.Location, now time.Time) string {
	var sb strings.Builder
	for _, s := range m.Lead {
		writeSection(&sb, s)
		sb.WriteString("\n")
	}
	if m.Title != "" {
		fmt.Fprintf(&sb, "=== %s ===\n", m.Title)
	}
	if m.Text != "" {
		sb.WriteString(m.Text + "\n")
	}
	if m.Code != "" {
		sb.WriteString("\n")
		for _, l := range strings.Split(strings.TrimRight(m.Code, "\n"), "\n") {
			sb.WriteString(strings.TrimRight("    "+l, " ") + "\n")
		}
	}
	if len(m.Choices) > 0 {
		sb.WriteString("\n")
	}
	for _, ch := range m.Choices {
		mark := "  "
		switch ch.Mark {
		case bot.MarkRight:
			mark = "✔ "
		case bot.MarkWrong:
			mark = "✘ "
		}
		lines := strings.Split(ch.Text, "\n")
		fmt.Fprintf(&sb, "  %s%s) %s\n", mark, ch.Letter, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&sb, "       %s\n", l)
		}
		if ch.Note != "" {
			fmt.Fprintf(&sb, "       %s\n", ch.Note)
		}
	}
	for _, s := range m.Sections {
		sb.WriteString("\n")
		writeSection(&sb, s)
	}
	if !m.Deadline.IsZero() {
		if len(m.Choices) > 0 || len(m.Sections) > 0 {
			sb.WriteString("\n")
		}
		label := m.DeadlineLabel
		if label == "" {
			label = "Closes"
		}
		fmt.Fprintf(&sb, "%s %s.\n", label, When(m.Deadline, loc, now))
	}
	if m.Footer != "" {
		sb.WriteString(m.Footer + "\n")
	}
	return sb.String()
}

// When formats t as "at 15:04:05 CET (in 10s)", with the date when it is
// not today. The zone is loc's abbreviation, so a time on a server set to
// another zone is not taken for local time.
func When(t time.Time, loc *time.Location, now time.Time) string {
	lt, ln := t.In(loc), now.In(loc)
	layout := "15:04:05 MST"
	if lt.YearDay() != ln.YearDay() || lt.Year() != ln.Year() {
		layout = "Mon Jan 2 15:04 MST"
	}
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		return "at " + lt.Format(layout)
	}
	return fmt.Sprintf("at %s (in %s)", lt.Format(layout), shortDuration(d))
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return d.String()
}

func writeSection(sb *strings.Builder, s bot.Section) {
	if s.Heading != "" {
		sb.WriteString(s.Heading + "\n")
	}
	if s.Text != "" {
		sb.WriteString(s.Text + "\n")
	}
}
