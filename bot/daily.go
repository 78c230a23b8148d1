package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/robfig/cron/v3"
)

// Post retry policy for daily rounds, whose post may fail while nobody is
// watching: exponential backoff with jitter, then the round is failed.
const maxPostAttempts = 6

// Mask converts the days to the store's weekday bit mask.
func (d Days) Mask() int {
	m := 0
	for i, on := range d {
		if on {
			m |= 1 << uint(i)
		}
	}
	return m
}

// DaysFromMask converts a weekday bit mask to Days.
func DaysFromMask(m int) Days {
	var d Days
	for i := range d {
		d[i] = m&(1<<uint(i)) != 0
	}
	return d
}

// CronSpec returns the cron spec of a schedule, in its own time zone.
func CronSpec(s quiz.Schedule) string {
	dows := ""
	for i := 0; i < 7; i++ {
		if s.RunsOn(time.Weekday(i)) {
			if dows != "" {
				dows += ","
			}
			dows += fmt.Sprint(i)
		}
	}
	return fmt.Sprintf("CRON_TZ=%s %d %d * * %s", s.TimeZone, s.Minute, s.Hour, dows)
}

// NextFire returns the schedule's next fire time after now.
func NextFire(s quiz.Schedule, now time.Time) (time.Time, error) {
	spec, err := cron.ParseStandard(CronSpec(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("parse schedule %d: %w", s.ID, err)
	}
	return spec.Next(now), nil
}

// ScheduleChanges delivers a signal whenever this bot changes a schedule, so
// the scheduler reloads at once (other replicas reload on their next sweep).
func (b *Bot) ScheduleChanges() <-chan struct{} { return b.schedChanged }

func (b *Bot) daily(ctx context.Context, ev Event, c Command) (Reply, error) {
	if c.DailyShow {
		return b.showDaily(ctx, ev)
	}
	if !ev.CanManage {
		return Reply{}, quiz.Errorf(quiz.EForbidden, "Only people who can manage this channel may change its daily quiz. Ask a channel manager, or see it with /asyncquiz daily.")
	}
	if c.DailyOff {
		if err := b.store.RemoveSchedule(ctx, ev.tenant(), ev.Channel); err != nil {
			return Reply{}, err
		}
		b.signalSchedules()
		b.log.Info("Schedule removed", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel)
		return textReply("The daily quiz in this channel is off. An open round is still revealed at its deadline."), nil
	}
	tz := c.TimeZone
	if tz == "" {
		tz = b.store.Location().String()
	}
	sch, err := b.store.SetSchedule(ctx, quiz.ScheduleInput{
		Tenant: ev.tenant(), Channel: ev.Channel, Hour: c.Hour, Minute: c.Minute, TimeZone: tz,
		DaysMask: c.Days.Mask(), Deadline: c.Deadline, CreatedBy: ev.User,
	})
	if err != nil {
		return Reply{}, err
	}
	b.signalSchedules()
	b.log.Info("Schedule set", "platform", ev.Platform, "team", ev.Team, "channel", ev.Channel, "schedule_id", sch.ID)
	r, err := b.scheduleReply(sch, "Daily quiz set")
	return r, err
}

func (b *Bot) signalSchedules() {
	select {
	case b.schedChanged <- struct{}{}:
	default:
	}
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
	next, err := NextFire(sch, b.now())
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Every %s at %02d:%02d %s, revealed %s later.\nNext question: %s.\nStop it with /asyncquiz daily off.",
		dayWords(DaysFromMask(sch.DaysMask)), sch.Hour, sch.Minute, sch.TimeZone, formatDuration(sch.Deadline()),
		next.In(loc).Format("Mon Jan 2 15:04 MST"))
	return Reply{Message: Message{Title: title, Text: text}}, nil
}

func dayWords(d Days) string {
	switch s := d.String(); s {
	case "everyday":
		return "day"
	case "weekdays":
		return "weekday (Mon-Fri)"
	case "weekends":
		return "weekend day"
	default:
		return s
	}
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

// OpenDaily opens and posts the schedule's round for localDate, closing at
// closesAt. A round already opened for that date (by another replica, or by
// a repeated wall time when clocks go back) makes it a no-op. An open round
// of the channel is revealed first. A failed post is retried by RunDue.
func (b *Bot) OpenDaily(ctx context.Context, sch quiz.Schedule, localDate string, closesAt time.Time) error {
	t := sch.Tenant()
	if done, err := b.store.HasDailyRound(ctx, sch.ID, localDate); err != nil || done {
		return err
	}
	closed, err := b.store.CloseNow(ctx, t, sch.Channel, sch.ID, localDate)
	if err != nil {
		return err
	}
	if closed {
		if _, err := b.RevealDue(ctx); err != nil {
			return err
		}
	}
	id := sch.ID
	r, q, err := b.store.OpenRound(ctx, quiz.OpenInput{
		Tenant: t, Channel: sch.Channel, OpenedBy: "schedule", ScheduleID: &id, LocalDate: localDate,
		ClosesAt: closesAt, Pending: true,
	})
	if quiz.ErrorCode(err) == quiz.EConflict {
		if done, herr := b.store.HasDailyRound(ctx, sch.ID, localDate); herr == nil && done {
			return nil // another replica, or the repeated wall time, was first
		}
	}
	if err != nil {
		return fmt.Errorf("open daily round of schedule %d: %w", sch.ID, err)
	}
	metrics.RoundsOpened.WithLabelValues(sch.Platform, "daily").Inc()
	b.tryPost(ctx, r, roundMessage(r, q, 0))
	return nil
}

// tryPost posts a pending round; on failure it schedules a retry.
func (b *Bot) tryPost(ctx context.Context, r quiz.Round, m Message) {
	p := b.platform(r.Platform)
	var err error
	ref := ""
	if p == nil {
		err = fmt.Errorf("no %s platform configured", r.Platform)
	} else {
		ref, err = p.Post(ctx, r.Channel, m)
	}
	if err == nil {
		err = b.store.MarkPosted(context.WithoutCancel(ctx), r.ID, ref)
		if err == nil {
			b.log.Info("Round posted", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "question_id", r.QuestionID)
			b.poke()
			return
		}
	}
	b.log.Error("Post round failed", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "attempt", r.Attempts+1, "error", err)
	metrics.Retries.WithLabelValues("post").Inc()
	if derr := b.store.DeferPost(context.WithoutCancel(ctx), r, quiz.DefaultLease, backoff(r.Attempts+1), err, maxPostAttempts); derr != nil {
		b.log.Error("Defer post", roundAttrs(r, "error", derr)...)
	}
	b.poke()
}

// backoff is the wait before retry n (1-based): exponential with jitter.
func backoff(attempt int) time.Duration {
	d := baseRetry << min(max(attempt-1, 0), 10)
	if d > maxRetry {
		d = maxRetry
	}
	return d + time.Duration(rand.Int64N(int64(d/2)+1))
}

// PostDue retries the posts of pending rounds whose retry time has come.
func (b *Bot) PostDue(ctx context.Context) error {
	rounds, err := b.store.ClaimPosts(ctx, quiz.DefaultLease, revealBatch)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		q, err := b.store.Question(r.QuestionID)
		if err != nil {
			b.log.Error("Pending round has no question", roundAttrs(r, "error", err)...)
			continue
		}
		// ClaimPosts counted this attempt already.
		r.Attempts--
		b.tryPost(ctx, r, roundMessage(r, q, 0))
	}
	return nil
}

// RunDue posts pending rounds and reveals due ones.
func (b *Bot) RunDue(ctx context.Context) (int, error) {
	if err := b.PostDue(ctx); err != nil {
		b.log.Error("Post pass failed", "error", err)
	}
	return b.RevealDue(ctx)
}
