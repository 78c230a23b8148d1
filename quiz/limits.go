package quiz

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The limits on what people ask for, each with the message that explains
// it. The command parser calls these too, so a limit and its wording live
// only here.

// ValidRoundDuration checks how long a round stays open.
func ValidRoundDuration(d time.Duration) error {
	if d < MinDuration || d > MaxDuration {
		return Errorf(EInvalid, "The duration must be between 5s and 7d, for example 30s, 10m, 2h or 1d.")
	}
	return nil
}

// ValidDailyDeadline checks how long after its time a daily round closes.
func ValidDailyDeadline(d time.Duration) error {
	if d < MinDailyDeadline || d > MaxDailyDeadline {
		return Errorf(EInvalid, "The deadline must be between 1m and 23h, for example 4h.")
	}
	return nil
}

// ValidDrillCount checks how many questions a drill has.
func ValidDrillCount(n int) error {
	if n < 1 || n > MaxDrillCount {
		return Errorf(EInvalid, "A drill has 1 to %d questions.", MaxDrillCount)
	}
	return nil
}

// zoneAliases are names people type that are not IANA zones (or are legacy
// ones) and the zone they mean.
var zoneAliases = map[string]string{"utc": "UTC", "gmt": "UTC", "z": "UTC"}

// LoadZone loads an IANA time zone, whatever its case ("europe/berlin"),
// so a schedule stores the canonical name. Legacy abbreviations the tz
// database still has (CET, EST) work; "Local" does not, since it differs
// between machines.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if alias, ok := zoneAliases[strings.ToLower(name)]; ok {
		name = alias
	}
	bad := Errorf(EInvalid, "Unknown time zone %q. Use an IANA name such as Europe/Berlin, America/New_York or UTC.", clipText(name, 40))
	if name == "" || strings.EqualFold(name, "local") {
		return nil, bad
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc, nil
	}
	if canon, ok := canonicalZone(name); ok {
		if loc, err := time.LoadLocation(canon); err == nil {
			return loc, nil
		}
	}
	return nil, bad
}

// canonicalZone fixes the case of a zone name: each part after a slash is
// capitalised the way the tz database spells most names (america/new_york ->
// America/New_York); all-caps names (CET, EST5EDT) are tried upper-cased.
func canonicalZone(name string) (string, bool) {
	if up := strings.ToUpper(name); up != name && !strings.Contains(name, "/") {
		return up, true
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		words := strings.Split(strings.ToLower(p), "_")
		for j, w := range words {
			if w != "" {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	out := strings.Join(parts, "/")
	return out, out != name
}

// Limits bound what one person or team may ask of the bot, so nobody can
// flood channels with rounds or the database with schedules. Zero means no
// limit. They are counted from the rows themselves, so they hold across
// replicas.
type Limits struct {
	StartsPerUser    int // rounds a person may start per LimitWindow
	StartsPerTeam    int // rounds a team may start per LimitWindow (daily rounds not counted)
	DrillsPerUser    int // drills a person may start per LimitWindow
	ScheduleChanges  int // daily-schedule changes a person may make per LimitWindow
	SchedulesPerTeam int // daily schedules a team may have at once
}

// LimitWindow is the window the per-person and per-team rates count in.
const LimitWindow = time.Hour

// DefaultLimits are generous for a team and tight for a script.
var DefaultLimits = Limits{StartsPerUser: 20, StartsPerTeam: 120, DrillsPerUser: 30, ScheduleChanges: 20, SchedulesPerTeam: 200}

// WithLimits sets the limits (DefaultLimits otherwise).
func WithLimits(l Limits) Option { return func(s *Store) { s.limits = l } }

// overLimit reports EUnavailable with when to try again when the rows that
// count (the query) already reach max within the window.
func overLimit(q *gorm.DB, max int, what string) error {
	if max <= 0 {
		return nil
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return fmt.Errorf("count %s: %w", what, err)
	}
	if n >= int64(max) {
		return Errorf(EUnavailable, "That is %d %s in the last hour, the most allowed; try again later.", n, what)
	}
	return nil
}
