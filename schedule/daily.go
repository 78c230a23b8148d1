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
// database; every replica loads them into its cron at start, at once when
// this replica changes one, and on the minute sweep otherwise. The database
// keeps a daily round unique per schedule and local date, so any number of
// replicas (and a wall time repeated when clocks go back) post it once.
type Scheduler struct {
	Bot   *bot.Bot
	Store *quiz.Store
	Log   *slog.Logger
	// Synced, when set, receives a value after each reload (tests).
	Synced chan<- struct{}

	mu      sync.Mutex
	cron    *cron.Cron
	entries map[uint64]entry
	skipped map[string]bool // schedule/date pairs already logged as skipped
}

type entry struct {
	spec string
	id   cron.EntryID
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log.With("component", "schedule")
}

// Run loads the schedules and fires them until ctx is done, then stops cron
// and waits for fires in progress.
func (s *Scheduler) Run(ctx context.Context) error {
	log := s.log()
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cronLogger{log}),
		cron.WithChain(cron.Recover(cronLogger{log})))
	s.mu.Lock()
	s.cron, s.entries = c, map[uint64]entry{}
	s.mu.Unlock()
	// The sweep reloads schedules changed by other replicas and posts fires
	// that were missed (downtime, or a wall time skipped when clocks go forward).
	if _, err := c.AddFunc("* * * * *", func() { s.Sweep(ctx, s.Store.Now()) }); err != nil {
		return fmt.Errorf("add sweep: %w", err)
	}
	s.Sweep(ctx, s.Store.Now())
	c.Start()
	for {
		select {
		case <-ctx.Done():
			<-c.Stop().Done()
			return nil
		case <-s.Bot.ScheduleChanges():
			s.Sync(ctx)
		}
	}
}

// Sync loads the schedules into cron: new and changed ones are (re)added,
// removed ones dropped.
func (s *Scheduler) Sync(ctx context.Context) {
	log := s.log()
	defer func() {
		if s.Synced != nil {
			s.Synced <- struct{}{}
		}
	}()
	scheds, err := s.Store.Schedules(ctx)
	if err != nil {
		log.Error("Load schedules", "error", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron == nil {
		return
	}
	seen := map[uint64]bool{}
	for _, sch := range scheds {
		seen[sch.ID] = true
		spec := bot.CronSpec(sch)
		if old, ok := s.entries[sch.ID]; ok {
			if old.spec == spec {
				continue
			}
			s.cron.Remove(old.id)
		}
		id := sch.ID
		eid, err := s.cron.AddFunc(spec, func() { s.fireByID(ctx, id) })
		if err != nil {
			log.Error("Schedule rejected", "schedule_id", sch.ID, "spec", spec, "error", err)
			delete(s.entries, sch.ID)
			continue
		}
		s.entries[sch.ID] = entry{spec, eid}
		next, _ := bot.NextFire(sch, s.Store.Now())
		log.Info("Schedule loaded", "schedule_id", sch.ID, "platform", sch.Platform, "team", sch.Team, "channel", sch.Channel,
			"spec", spec, "next_run", next.UTC().Format(time.RFC3339))
	}
	for id, e := range s.entries {
		if !seen[id] {
			s.cron.Remove(e.id)
			delete(s.entries, id)
			log.Info("Schedule unloaded", "schedule_id", id)
		}
	}
}

// Specs returns the cron spec loaded for each schedule id.
func (s *Scheduler) Specs() map[uint64]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[uint64]string, len(s.entries))
	for id, e := range s.entries {
		out[id] = e.spec
	}
	return out
}

func (s *Scheduler) fireByID(ctx context.Context, id uint64) {
	sch, err := s.Store.ScheduleByID(ctx, id)
	if err != nil {
		s.log().Info("Schedule gone before its fire", "schedule_id", id)
		return
	}
	s.Fire(ctx, sch, s.Store.Now())
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
	s.fireOn(ctx, sch, local.Year(), local.Month(), local.Day(), now, false)
}

// fireOn posts the schedule's round for a local date if it is due at now.
func (s *Scheduler) fireOn(ctx context.Context, sch quiz.Schedule, y int, m time.Month, d int, now time.Time, late bool) {
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
	at := FireTime(sch, y, m, d, loc)
	closes := at.Add(sch.Deadline())
	if now.Before(at) {
		return
	}
	if done, err := s.Store.HasDailyRound(ctx, sch.ID, localDate); err != nil || done {
		return
	}
	if closes.Sub(now) < quiz.MinDuration {
		if !s.markSkipped(fmt.Sprintf("%d/%s", sch.ID, localDate)) {
			return
		}
		log.Warn("Daily round skipped: its deadline passed before it could be posted", "local_date", localDate,
			"fire_at", at.Format(time.RFC3339), "closes_at", closes.Format(time.RFC3339))
		return
	}
	if late {
		log.Info("Posting a daily round late", "local_date", localDate, "fire_at", at.Format(time.RFC3339), "late_seconds", now.Sub(at).Seconds())
	}
	if err := s.Bot.OpenDaily(ctx, sch, localDate, closes); err != nil {
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

// Sweep reloads the schedules and posts every round that is due but was not
// posted: today's or yesterday's (a deadline may run past midnight) whose
// time has come and whose deadline has not passed.
func (s *Scheduler) Sweep(ctx context.Context, now time.Time) {
	s.Sync(ctx)
	scheds, err := s.Store.Schedules(ctx)
	if err != nil {
		return
	}
	for _, sch := range scheds {
		loc, err := sch.Location()
		if err != nil {
			continue
		}
		local := now.In(loc)
		for _, back := range []int{1, 0} {
			d := local.AddDate(0, 0, -back)
			late := now.Sub(FireTime(sch, d.Year(), d.Month(), d.Day(), loc)) >= time.Minute
			s.fireOn(ctx, sch, d.Year(), d.Month(), d.Day(), now, late)
		}
	}
}

// FireTime is when the schedule fires on a local date: the first instant of
// that date whose wall clock reads HH:MM or later. On a day when clocks go
// forward past HH:MM that is the first valid minute after the gap; when they
// go back, the first of the two HH:MMs.
func FireTime(sch quiz.Schedule, y int, m time.Month, d int, loc *time.Location) time.Time {
	want := sch.Hour*60 + sch.Minute
	// Scan a few hours around the naive time in UTC minutes; DST moves at most 2h.
	start := time.Date(y, m, d, sch.Hour, sch.Minute, 0, 0, loc).Add(-3 * time.Hour)
	for t := start; t.Before(start.Add(6 * time.Hour)); t = t.Add(time.Minute) {
		lt := t.In(loc)
		if lt.Year() == y && lt.Month() == m && lt.Day() == d && lt.Hour()*60+lt.Minute() >= want {
			return t
		}
	}
	return time.Date(y, m, d, sch.Hour, sch.Minute, 0, 0, loc)
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
