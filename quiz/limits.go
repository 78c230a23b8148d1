package quiz

import (
	"strings"
	"time"
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
	bad := Errorf(EInvalid, "Unknown time zone %q. Use an IANA name such as Europe/Berlin, America/New_York or UTC.", name)
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
