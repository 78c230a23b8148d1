package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/robfig/cron/v3"
)

// Scheduler posts each channel's daily round. Schedules live in the
// database, and the database keeps a daily round unique per schedule and
// local date, so any number of replicas (and a wall time repeated when
// clocks go back) post it once. Every minute, and at once when this replica
// changes a schedule, it sweeps: two queries find what is due, whatever the
// number of schedules.
type Scheduler struct {
	Rounds *bot.Rounds
	Store  *quiz.Store
	Log    *slog.Logger
	// Synced, when set, receives a value after each sweep (tests).
	Synced chan<- struct{}

	mu      sync.Mutex
	loaded  map[uint64]string // schedule id -> its spec, as of the last sweep
	skipped map[string]bool   // schedule/date pairs already logged as skipped
	changed chan struct{}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log.With("component", "schedule")
}

// SchedulesChanged asks for a sweep now (bot.Hooks).
func (s *Scheduler) SchedulesChanged() {
	s.mu.Lock()
	c := s.changed
	s.mu.Unlock()
	if c == nil {
		return
	}
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run sweeps at start, at the top of every minute and after each schedule
// change, until ctx is done; it returns once the sweep in progress ends.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.changed = make(chan struct{}, 1)
	s.mu.Unlock()
	tick := make(chan struct{}, 1)
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cronLogger{s.log()}))
	if _, err := c.AddFunc("* * * * *", func() {
		select {
		case tick <- struct{}{}:
		default: // a sweep is still running; the next one covers this minute
		}
	}); err != nil {
		return fmt.Errorf("add sweep: %w", err)
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
	for {
		s.Sweep(ctx, s.Store.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		case <-s.changed:
		}
	}
}

// Specs returns a description of each schedule seen by the last sweep, in
// cron form (for logs and tests).
func (s *Scheduler) Specs() map[uint64]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[uint64]string, len(s.loaded))
	for id, spec := range s.loaded {
		out[id] = spec
	}
	return out
}

// CronSpec describes a schedule in cron form, in its own time zone.
func CronSpec(sch quiz.Schedule) string {
	dows := ""
	for i := 0; i < 7; i++ {
		if sch.RunsOn(time.Weekday(i)) {
			if dows != "" {
				dows += ","
			}
			dows += fmt.Sprint(i)
		}
	}
	return fmt.Sprintf("CRON_TZ=%s %d %d * * %s", sch.TimeZone, sch.Minute, sch.Hour, dows)
}

// Fire posts the schedule's round for the local date of now, unless the
// schedule does not run that day, its round exists, or its deadline passed.
func (s *Scheduler) Fire(ctx context.Context, sch quiz.Schedule, now time.Time) {
	loc, err := sch.Location()
	if err != nil {
		s.log().Error("Schedule has a bad time zone", "schedule_id", sch.ID, "error", err)
		return
	}
	local := now.In(loc)
	s.fireOn(ctx, sch, local.Year(), local.Month(), local.Day(), now, false, nil)
}

// fireOn posts the schedule's round for a local date if it is due at now.
// have, when set, lists the daily rounds that exist already.
func (s *Scheduler) fireOn(ctx context.Context, sch quiz.Schedule, y int, m time.Month, d int, now time.Time, late bool, have map[string]bool) {
	log := s.log().With("schedule_id", sch.ID, "platform", sch.Platform, "team", sch.Team, "channel", sch.Channel)
	loc, err := sch.Location()
	if err != nil {
		return
	}
	date := time.Date(y, m, d, 12, 0, 0, 0, loc)
	localDate := date.Format("2006-01-02")
	if !sch.RunsOn(date.Weekday()) {
		return
	}
	at := sch.FireTime(y, m, d, loc)
	closes := at.Add(sch.Deadline())
	if now.Before(at) || have[quiz.DailyKey(sch.ID, localDate)] {
		return
	}
	if closes.Sub(now) < quiz.MinDuration {
		if !s.markSkipped(quiz.DailyKey(sch.ID, localDate)) {
			return
		}
		log.Warn("Daily round skipped: its deadline passed before it could be posted", "local_date", localDate,
			"fire_at", at.Format(time.RFC3339), "closes_at", closes.Format(time.RFC3339))
		return
	}
	if late {
		log.Info("Posting a daily round late", "local_date", localDate, "fire_at", at.Format(time.RFC3339), "late_seconds", now.Sub(at).Seconds())
	}
	if err := s.Rounds.OpenDaily(ctx, sch, localDate, closes); err != nil {
		log.Error("Daily round failed", "local_date", localDate, "error", err)
	}
}

// markSkipped reports whether key was not yet marked, and marks it.
func (s *Scheduler) markSkipped(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.skipped == nil {
		s.skipped = map[string]bool{}
	}
	if s.skipped[key] {
		return false
	}
	s.skipped[key] = true
	return true
}

// Sweep posts every daily round that is due but was not posted: today's or
// yesterday's (a deadline may run past midnight) whose time has come and
// whose deadline has not passed. It costs two queries however many
// schedules there are.
func (s *Scheduler) Sweep(ctx context.Context, now time.Time) {
	defer func() {
		if s.Synced != nil {
			s.Synced <- struct{}{}
		}
	}()
	log := s.log()
	scheds, err := s.Store.Schedules(ctx)
	if err != nil {
		log.Error("Load schedules", "error", err)
		return
	}
	// Every local "today" and "yesterday" lies within a day of UTC's.
	var dates []string
	for back := -2; back <= 1; back++ {
		dates = append(dates, now.UTC().AddDate(0, 0, back).Format("2006-01-02"))
	}
	have, err := s.Store.DailyRounds(ctx, dates)
	if err != nil {
		log.Error("Load daily rounds", "error", err)
		return
	}
	s.noteLoaded(scheds, now)
	// The minute tick also forgets old platform delivery ids.
	if err := s.Store.PruneDeliveries(ctx); err != nil {
		log.Warn("Prune deliveries", "error", err)
	}
	// Schedules are fired by sweepWorkers at once: a channel's wait (its
	// pace after last week's summary, a slow platform call) then holds back
	// only that channel, not every schedule after it in the sweep.
	work := make(chan quiz.Schedule)
	var wg sync.WaitGroup
	for i := 0; i < min(sweepWorkers, len(scheds)); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sch := range work {
				s.fireDue(ctx, sch, now, have)
			}
		}()
	}
	for _, sch := range scheds {
		work <- sch
	}
	close(work)
	wg.Wait()
}

// sweepWorkers is how many schedules a sweep fires at once. With Slack's
// pace of a write per second per channel, a sweep of 1,000 schedules that
// each post a weekly summary before the round takes about 1,000/sweepWorkers
// seconds; the database pool, not this, bounds the queries in flight.
const sweepWorkers = 128

// fireDue posts the schedule's rounds of yesterday and today (a deadline
// may run past midnight) that are due at now and not in have, in order.
func (s *Scheduler) fireDue(ctx context.Context, sch quiz.Schedule, now time.Time, have map[string]bool) {
	loc, err := sch.Location()
	if err != nil {
		return
	}
	local := now.In(loc)
	for _, back := range []int{1, 0} {
		d := local.AddDate(0, 0, -back)
		late := now.Sub(sch.FireTime(d.Year(), d.Month(), d.Day(), loc)) >= time.Minute
		s.fireOn(ctx, sch, d.Year(), d.Month(), d.Day(), now, late, have)
	}
}

// noteLoaded logs schedules that are new or changed since the last sweep,
// with their next run, and forgets removed ones.
func (s *Scheduler) noteLoaded(scheds []quiz.Schedule, now time.Time) {
	log := s.log()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded == nil {
		s.loaded = map[uint64]string{}
	}
	seen := map[uint64]bool{}
	for _, sch := range scheds {
		seen[sch.ID] = true
		spec := CronSpec(sch)
		if s.loaded[sch.ID] == spec {
			continue
		}
		s.loaded[sch.ID] = spec
		next, _ := sch.NextFire(now)
		log.Info("Schedule loaded", "schedule_id", sch.ID, "platform", sch.Platform, "team", sch.Team, "channel", sch.Channel,
			"spec", spec, "next_run", next.UTC().Format(time.RFC3339))
	}
	for id := range s.loaded {
		if !seen[id] {
			delete(s.loaded, id)
			log.Info("Schedule unloaded", "schedule_id", id)
		}
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
