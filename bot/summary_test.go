package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// dailyDay opens the schedule's round on the clock's local date, lets
// answers in, and reveals it.
func dailyDay(t *testing.T, h *bottest.Harness, sch quiz.Schedule, answers map[string]string) {
	t.Helper()
	ctx := context.Background()
	date := h.Clock.Now().Format("2006-01-02")
	if err := h.Bot.Rounds().OpenDaily(ctx, sch, date, h.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	posts := h.Platform.Posts()
	round := posts[len(posts)-1]
	for u, letter := range answers {
		h.ClickOn(h.As(u), round.Message, letter)
	}
	h.Clock.Add(time.Hour)
	h.RunDue()
}

// The first daily round of a week brings last week's summary, once; people
// with redo questions due get one private nudge a day, unless they turned
// it off, and people who never played get none.
func TestRounds_WeeklySummaryAndReminders(t *testing.T) {
	h := bottest.New(t)
	ctx := context.Background()
	h.Clock.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)) // a Tuesday
	sch, err := h.Store.SetSchedule(ctx, quiz.ScheduleInput{Tenant: quiz.Tenant{Platform: "slack", Team: "T1"}, Channel: "C1",
		Hour: 9, TimeZone: "UTC", Days: quiz.Everyday, Deadline: time.Hour, CreatedBy: "U0"})
	if err != nil {
		t.Fatal(err)
	}
	dailyDay(t, h, sch, map[string]string{"U1": "A", "U2": "B"}) // U1 misses: a redo item due Nov 13
	h.Clock.Set(time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC))
	dailyDay(t, h, sch, map[string]string{"U1": "B", "U2": "B"})
	summaries := func() (n int, last bot.Message) {
		for _, p := range h.Platform.Posts() {
			if strings.Contains(p.Message.Title, "Last week") {
				n, last = n+1, p.Message
			}
		}
		return n, last
	}
	if n, _ := summaries(); n != 0 {
		t.Fatalf("%d summaries in the first week", n)
	}
	for _, q := range h.Store.Bank().Questions {
		for _, tag := range q.Tags {
			h.Store.Bank().Tips[tag] = questions.Tip{Tag: tag, Tip: "Tip on " + tag + "."}
		}
	}
	h.Clock.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)) // Monday
	dailyDay(t, h, sch, map[string]string{"U2": "B"})
	n, sum := summaries()
	if n != 1 {
		t.Fatalf("%d summaries with the week's first round, want 1", n)
	}
	text := bottest.Text(sum)
	for _, want := range []string{"2 people answered in 2 rounds, 75% right", "Concepts to work on", ": missed 1 of 2. Tip on ", "Redo queue"} {
		if !strings.Contains(text, want) {
			t.Fatalf("summary lacks %q:\n%s", want, text)
		}
	}
	dms := h.Platform.DMs()
	if len(dms) != 1 || dms[0].Channel != "U1" || dms[0].Ref != "T1" || len(dms[0].Message.Buttons) != 1 {
		t.Fatalf("reminders %+v, want one to U1 of T1 with a button", dms)
	}
	// The button is clicked in the DM, not in the round's channel.
	inDM := h.As("U1")
	inDM.Channel = "D1"
	if r := h.Bot.Click(ctx, inDM, dms[0].Message.Buttons[0].Action); !strings.Contains(bottest.Text(r.Message), "Redo ·") {
		t.Fatalf("the reminder's button: %s", bottest.Text(r.Message))
	}

	if again, err := h.Store.DueReminders(ctx, quiz.Tenant{Platform: "slack", Team: "T1"}, "C1"); err != nil || len(again) != 0 {
		t.Fatalf("a second reminder pass the same day: %+v, %v; want none", again, err)
	}
	h.Clock.Set(time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)) // Tuesday: no new summary, a new day's reminder
	dailyDay(t, h, sch, nil)
	if n, _ := summaries(); n != 1 {
		t.Fatalf("%d summaries in one week, want 1", n)
	}
	if got := len(h.Platform.DMs()); got != 2 {
		t.Fatalf("%d reminders after two days, want 2 (one a day)", got)
	}
	h.Bot.CommandText(ctx, h.As("U1"), "remind off")
	h.Clock.Set(time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC))
	dailyDay(t, h, sch, nil)
	if got := len(h.Platform.DMs()); got != 2 {
		t.Fatalf("%d reminders after remind off, want still 2", got)
	}
	if r := h.Bot.CommandText(ctx, h.As("U3"), "stats team"); !strings.Contains(bottest.Text(r.Message), "answered") {
		t.Fatalf("stats team: %s", bottest.Text(r.Message))
	}
}
