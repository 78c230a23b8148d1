package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

func (b *Bot) daily(ctx context.Context, ev Event, c Command) (Reply, error) {
	if c.DailyShow {
		return b.showDaily(ctx, ev)
	}
	if c.DailyOff {
		if err := b.store.RemoveSchedule(ctx, ev.tenant(), ev.Channel); err != nil {
			return Reply{}, err
		}
		b.rounds.schedulesChanged()
		b.log.Info("Schedule removed", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel)
		return textReply("The daily quiz in this channel is off. An open round is still revealed at its deadline."), nil
	}
	tz := c.TimeZone
	if tz == "" {
		tz = b.store.Location().String()
	}
	sch, err := b.store.SetSchedule(ctx, quiz.ScheduleInput{
		Tenant: ev.tenant(), Channel: ev.Channel, Hour: c.Hour, Minute: c.Minute, TimeZone: tz,
		Days: c.Days, Deadline: c.Deadline, CreatedBy: ev.User,
	})
	if err != nil {
		return Reply{}, err
	}
	b.rounds.schedulesChanged()
	b.log.Info("Schedule set", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel, "schedule_id", sch.ID)
	r, err := b.scheduleReply(sch, "Daily quiz set")
	return r, err
}

func (b *Bot) showDaily(ctx context.Context, ev Event) (Reply, error) {
	sch, err := b.store.ScheduleIn(ctx, ev.tenant(), ev.Channel)
	if err != nil {
		return Reply{}, err
	}
	return b.scheduleReply(sch, "Daily quiz")
}

func (b *Bot) scheduleReply(sch quiz.Schedule, title string) (Reply, error) {
	loc, err := sch.Location()
	if err != nil {
		return Reply{}, fmt.Errorf("schedule %d time zone: %w", sch.ID, err)
	}
	next, err := sch.NextFire(b.now())
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Every %s at %02d:%02d %s, revealed %s later.\nNext question: %s.\nStop it with /asyncquiz daily off.",
		sch.Days().Words(), sch.Hour, sch.Minute, sch.TimeZone, formatDuration(sch.Deadline()),
		next.In(loc).Format("Mon Jan 2 15:04 MST"))
	return Reply{Message: Message{Title: title, Text: text}}, nil
}

func formatDuration(d time.Duration) string {
	s := d.String()
	for _, suf := range []string{"m0s", "h0m"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			s = s[:len(s)-len(suf)+1]
		}
	}
	return s
}
