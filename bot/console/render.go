package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
)

// Render draws a message as plain terminal text, with times in loc and no
// wrapping (`asyncquiz questions show` prints it as it is).
func Render(m bot.Message, loc *time.Location, now time.Time) string {
	return RenderWidth(m, loc, now, 0)
}

// choiceHang indents an option's continuation lines under its text:
// "  ✔ A) " is seven columns.
const choiceHang = "       "

// RenderWidth draws a message as Render does, with prose wrapped at word
// boundaries to width columns (none when width is 0 or less). Code and
// program output are never wrapped: a long line of code stays whole, so
// the program stays valid Python, and a word longer than the width stands
// alone on its line rather than being cut. Options wrap under their text.
func RenderWidth(m bot.Message, loc *time.Location, now time.Time, width int) string {
	w := &wrapper{width: width}
	for _, s := range m.Lead {
		w.section(s)
		w.blank()
	}
	if m.Title != "" {
		w.prose("=== "+m.Title+" ===", "", "")
	}
	if m.Text != "" {
		w.prose(m.Text, "", "")
	}
	if m.Code != "" {
		w.blank()
		for _, l := range strings.Split(strings.TrimRight(m.Code, "\n"), "\n") {
			w.verbatim("    ", l)
		}
	}
	if len(m.Choices) > 0 {
		w.blank()
	}
	for _, ch := range m.Choices {
		mark := "  "
		switch ch.Mark {
		case bot.MarkRight:
			mark = "✔ "
		case bot.MarkWrong:
			mark = "✘ "
		}
		first := fmt.Sprintf("  %s%s) ", mark, ch.Letter)
		if ch.Verbatim {
			for i, l := range strings.Split(ch.Text, "\n") {
				prefix := choiceHang
				if i == 0 {
					prefix = first
				}
				w.verbatim(prefix, l)
			}
		} else {
			w.prose(ch.Text, first, choiceHang)
		}
		if ch.Note != "" {
			w.prose(ch.Note, choiceHang, choiceHang)
		}
	}
	for _, s := range m.Sections {
		w.blank()
		w.section(s)
	}
	if !m.Deadline.IsZero() {
		if len(m.Choices) > 0 || len(m.Sections) > 0 {
			w.blank()
		}
		label := m.DeadlineLabel
		if label == "" {
			label = "Closes"
		}
		w.prose(fmt.Sprintf("%s %s.", label, When(m.Deadline, loc, now)), "", "")
	}
	if m.Footer != "" {
		w.prose(m.Footer, "", "")
	}
	if len(w.lines) == 0 {
		return ""
	}
	return strings.Join(w.lines, "\n") + "\n"
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
