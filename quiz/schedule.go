package quiz

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Daily deadline bounds: a daily round must close before the next one, and
// stay open long enough that the minute sweep can still post it.
const (
	MinDailyDeadline = time.Minute
	MaxDailyDeadline = 23 * time.Hour
)

// Schedule posts a round in a channel at a local time on chosen weekdays.
// A channel has at most one.
type Schedule struct {
	ID       uint64 `gorm:"primaryKey"`
	Platform string `gorm:"size:16;not null;uniqueIndex:idx_schedules_channel,priority:1"`
	Team     string `gorm:"size:64;not null;uniqueIndex:idx_schedules_channel,priority:2"`
	Channel  string `gorm:"size:64;not null;uniqueIndex:idx_schedules_channel,priority:3"`
	Hour     int    `gorm:"not null"`
	Minute   int    `gorm:"not null"`
	TimeZone string `gorm:"size:64;not null"`
	// DaysMask has bit i set when the schedule runs on time.Weekday(i).
	DaysMask        int    `gorm:"not null"`
	DeadlineSeconds int64  `gorm:"not null"`
	CreatedBy       string `gorm:"size:64"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Deadline is how long after the daily time the round is revealed.
func (s Schedule) Deadline() time.Duration { return time.Duration(s.DeadlineSeconds) * time.Second }

// RunsOn reports whether the schedule runs on weekday w.
func (s Schedule) RunsOn(w time.Weekday) bool { return s.Days().Has(w) }

// Days is the set of weekdays the schedule runs on.
func (s Schedule) Days() Weekdays { return Weekdays(s.DaysMask) }

// Location returns the schedule's time zone.
func (s Schedule) Location() (*time.Location, error) { return time.LoadLocation(s.TimeZone) }

// Tenant returns the schedule's tenant.
func (s Schedule) Tenant() Tenant { return Tenant{Platform: s.Platform, Team: s.Team} }

// ScheduleInput sets a channel's daily schedule.
type ScheduleInput struct {
	Tenant
	Channel   string
	Hour      int
	Minute    int
	TimeZone  string
	Days      Weekdays
	Deadline  time.Duration
	CreatedBy string
}

// SetSchedule creates or replaces the channel's schedule. It returns EInvalid
// for a bad time, zone, day set or deadline, and writes nothing then.
func (s *Store) SetSchedule(ctx context.Context, in ScheduleInput) (Schedule, error) {
	if in.Hour < 0 || in.Hour > 23 || in.Minute < 0 || in.Minute > 59 {
		return Schedule{}, Errorf(EInvalid, "The time must be HH:MM on a 24-hour clock, for example 09:30.")
	}
	loc, err := LoadZone(in.TimeZone)
	if err != nil {
		return Schedule{}, err
	}
	in.TimeZone = loc.String()
	if err := in.Days.validate(); err != nil {
		return Schedule{}, err
	}
	if err := ValidDailyDeadline(in.Deadline); err != nil {
		return Schedule{}, err
	}
	now := s.Now()
	db := s.db.WithContext(ctx)
	mine := db.Model(&Schedule{}).Where("platform = ? AND team = ? AND created_by = ? AND updated_at > ?", in.Platform, in.Team, in.CreatedBy, now.Add(-LimitWindow))
	if err := overLimit(mine, s.limits.ScheduleChanges, "daily-schedule changes by you"); err != nil {
		return Schedule{}, err
	}
	var others int64
	if err := db.Model(&Schedule{}).Where("platform = ? AND team = ? AND channel <> ?", in.Platform, in.Team, in.Channel).Count(&others).Error; err != nil {
		return Schedule{}, fmt.Errorf("count schedules: %w", err)
	}
	if max := s.limits.SchedulesPerTeam; max > 0 && others >= int64(max) {
		return Schedule{}, Errorf(EUnavailable, "This team has %d daily quizzes, the most allowed; turn one off first.", others)
	}
	sch := Schedule{
		Platform: in.Platform, Team: in.Team, Channel: in.Channel, Hour: in.Hour, Minute: in.Minute,
		TimeZone: in.TimeZone, DaysMask: int(in.Days), DeadlineSeconds: int64(in.Deadline / time.Second),
		CreatedBy: in.CreatedBy, CreatedAt: now, UpdatedAt: now,
	}
	err = db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "team"}, {Name: "channel"}},
		DoUpdates: clause.AssignmentColumns([]string{"hour", "minute", "time_zone", "days_mask", "deadline_seconds", "created_by", "updated_at"}),
	}).Create(&sch).Error
	if err != nil {
		return Schedule{}, fmt.Errorf("save schedule: %w", err)
	}
	// The upsert does not report the id of an updated row on every engine.
	return s.ScheduleIn(ctx, in.Tenant, in.Channel)
}

// ScheduleIn returns the channel's schedule, or ENotFound.
func (s *Store) ScheduleIn(ctx context.Context, t Tenant, channel string) (Schedule, error) {
	return first[Schedule](s.db.WithContext(ctx).Where("platform = ? AND team = ? AND channel = ?", t.Platform, t.Team, channel),
		Errorf(ENotFound, "This channel has no daily quiz."), "schedule")
}

// ScheduleByID returns a schedule by id, or ENotFound (it was removed).
func (s *Store) ScheduleByID(ctx context.Context, id uint64) (Schedule, error) {
	return first[Schedule](s.db.WithContext(ctx).Where("id = ?", id),
		Errorf(ENotFound, "Schedule %d no longer exists.", id), fmt.Sprintf("schedule %d", id))
}

// RemoveSchedule deletes the channel's schedule; ENotFound when it has none.
func (s *Store) RemoveSchedule(ctx context.Context, t Tenant, channel string) error {
	res := s.db.WithContext(ctx).Where("platform = ? AND team = ? AND channel = ?", t.Platform, t.Team, channel).Delete(&Schedule{})
	if res.Error != nil {
		return fmt.Errorf("remove schedule: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(ENotFound, "This channel has no daily quiz to stop.")
	}
	return nil
}

// Schedules returns every schedule of every tenant, for the scheduler.
func (s *Store) Schedules(ctx context.Context) ([]Schedule, error) {
	var out []Schedule
	if err := s.db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// HasDailyRound reports whether the schedule already has its round for the
// local date.
func (s *Store) HasDailyRound(ctx context.Context, scheduleID uint64, localDate string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Round{}).Where("schedule_id = ? AND local_date = ?", scheduleID, localDate).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("find daily round: %w", err)
	}
	return n > 0, nil
}

// CloseNow moves the deadline of the channel's open round to now so the
// next reveal pass reveals it, unless it is the schedule's round for
// localDate (which a replica may have just opened). It reports whether a
// round was closed.
func (s *Store) CloseNow(ctx context.Context, t Tenant, channel string, scheduleID uint64, localDate string) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Round{}).
		Where("open_key = ? AND state = ? AND NOT (schedule_id IS NOT NULL AND schedule_id = ? AND local_date = ?)",
			openKey(t, channel), StateOpen, scheduleID, localDate).
		Update("closes_at", s.Now())
	if res.Error != nil {
		return false, fmt.Errorf("close open round: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// FireTime is when the schedule fires on a local date: the first instant of
// that date whose wall clock reads HH:MM or later. On a day when clocks go
// forward past HH:MM that is the first valid minute after the gap; when they
// go back, the first of the two HH:MMs.
func (s Schedule) FireTime(y int, m time.Month, d int, loc *time.Location) time.Time {
	want := s.Hour*60 + s.Minute
	// Scan a few hours around the naive time in UTC minutes; DST moves at most 2h.
	start := time.Date(y, m, d, s.Hour, s.Minute, 0, 0, loc).Add(-3 * time.Hour)
	for t := start; t.Before(start.Add(6 * time.Hour)); t = t.Add(time.Minute) {
		lt := t.In(loc)
		if lt.Year() == y && lt.Month() == m && lt.Day() == d && lt.Hour()*60+lt.Minute() >= want {
			return t
		}
	}
	return time.Date(y, m, d, s.Hour, s.Minute, 0, 0, loc)
}

// NextFire returns the schedule's first fire time after now (at most eight
// days ahead, since it runs at least one weekday).
func (s Schedule) NextFire(now time.Time) (time.Time, error) {
	loc, err := s.Location()
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule %d time zone: %w", s.ID, err)
	}
	local := now.In(loc)
	for back := 0; back <= 8; back++ {
		d := local.AddDate(0, 0, back)
		if !s.RunsOn(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Weekday()) {
			continue
		}
		if at := s.FireTime(d.Year(), d.Month(), d.Day(), loc); at.After(now) {
			return at, nil
		}
	}
	return time.Time{}, fmt.Errorf("schedule %d runs on no day", s.ID)
}

// DailyRounds returns the (schedule, local date) pairs that already have a
// round among the given local dates, keyed "id/date": the minute sweep asks
// once for every schedule instead of once per schedule.
func (s *Store) DailyRounds(ctx context.Context, localDates []string) (map[string]bool, error) {
	var rows []struct {
		ScheduleID uint64
		LocalDate  string
	}
	err := s.db.WithContext(ctx).Model(&Round{}).Select("schedule_id, local_date").
		Where("schedule_id IS NOT NULL AND local_date IN ?", localDates).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list daily rounds: %w", err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[DailyKey(r.ScheduleID, r.LocalDate)] = true
	}
	return out, nil
}

// DailyKey names a schedule's round on a local date.
func DailyKey(scheduleID uint64, localDate string) string {
	return fmt.Sprintf("%d/%s", scheduleID, localDate)
}
