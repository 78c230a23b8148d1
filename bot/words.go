package bot

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// value is a parsed option value.
type value struct {
	d    time.Duration
	n    int // KindInt; KindClock as minutes after midnight
	s    string
	b    bool
	days quiz.Weekdays
	name string // KindUser: the name a mention carried
}

var (
	durationWord = regexp.MustCompile(`^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$`)
	clockWord    = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
	intWord      = regexp.MustCompile(`^[+-]?\d+$`)
	// mentionWord is a user mention as Slack escapes it (<@U123|ada>) and
	// as the other adapters translate theirs (<@123>, <@!123>).
	mentionWord = regexp.MustCompile(`^<@!?([A-Za-z0-9._-]{1,64})(?:\|([^<>]{0,100}))?>$`)
)

// looksLike reports whether a positional word has the form of kind, so the
// text parser can tell which option it is for.
func (o *Option) looksLike(w string) bool {
	lw := strings.ToLower(w)
	switch o.Kind {
	case KindDuration:
		return lw != "" && durationWord.MatchString(lw)
	case KindClock:
		return clockWord.MatchString(lw)
	case KindZone:
		if strings.Contains(w, "/") {
			return true // a zone, or a misspelt one the parser names
		}
		_, err := quiz.LoadZone(w)
		return err == nil // UTC, CET, EST...
	case KindDays:
		_, err := quiz.ParseWeekdays(lw)
		return err == nil || strings.Contains(lw, ",") // a list with a typo is still a list

	case KindInt:
		return intWord.MatchString(lw)
	case KindChoice:
		return containsFold(o.Choices(), lw)
	case KindFlag:
		return lw == o.Name
	case KindUser:
		return strings.HasPrefix(w, "<@") || strings.HasPrefix(w, "@")
	}
	return false
}

// parse reads a value of the option's kind; the error says what the value
// should look like.
func (o *Option) parse(raw string) (value, error) {
	w := strings.TrimSpace(raw)
	lw := strings.ToLower(w)
	switch o.Kind {
	case KindDuration:
		d, err := ParseDuration(lw)
		if err != nil {
			hint := ""
			if d := durationHint(lw); d != "" {
				hint = fmt.Sprintf(" Did you mean %s?", d)
			}
			return value{}, quiz.Errorf(quiz.EInvalid, "%q is not a duration such as 30s, 10m, 2h or 1d.%s", Clip(w), hint)
		}
		return value{d: d}, nil
	case KindClock:
		m := clockWord.FindStringSubmatch(lw)
		if m == nil {
			return value{}, quiz.Errorf(quiz.EInvalid, "Time %q must be HH:MM on a 24-hour clock, for example 09:30.", Clip(w))
		}
		h, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		if h > 23 || min > 59 {
			return value{}, quiz.Errorf(quiz.EInvalid, "Time %q must be HH:MM on a 24-hour clock, for example 09:30.", Clip(w))
		}
		return value{n: h*60 + min}, nil
	case KindZone:
		loc, err := quiz.LoadZone(w)
		if err != nil {
			return value{}, err
		}
		return value{s: loc.String()}, nil
	case KindDays:
		d, err := quiz.ParseWeekdays(lw)
		if err != nil {
			return value{}, quiz.Errorf(quiz.EInvalid, "Days %q must be everyday, weekdays, weekends or a list such as mon,wed,fri: %s", Clip(w), quiz.ErrorMessage(err))
		}
		return value{days: d}, nil
	case KindInt:
		n, err := strconv.Atoi(lw)
		if err != nil || !intWord.MatchString(lw) {
			return value{}, quiz.Errorf(quiz.EInvalid, "%s %q must be a whole number.", capitalise(o.Name), Clip(w))
		}
		return value{n: n}, nil
	case KindChoice:
		for _, c := range o.Choices() {
			if strings.EqualFold(c, lw) {
				return value{s: c}, nil
			}
		}
		return value{}, quiz.Errorf(quiz.EInvalid, "%s %q must be %s.", capitalise(o.Name), Clip(w), orList(o.Choices()))
	case KindFlag:
		switch lw {
		case o.Name, "true":
			return value{b: true}, nil
		case "false", "":
			return value{}, nil
		}
		return value{}, quiz.Errorf(quiz.EInvalid, "%q takes no value; write just %s.", o.Name, o.Name)
	case KindUser:
		if m := mentionWord.FindStringSubmatch(w); m != nil {
			return value{s: m[1], name: m[2]}, nil
		}
		return value{}, quiz.Errorf(quiz.EInvalid, "%q is not a mention; pick the person from the @ list so the platform sends who they are.", Clip(w))
	}
	return value{}, quiz.Errorf(quiz.EInvalid, "I don't understand %q.", Clip(w))
}

// maxDurationDays keeps day counts far from overflowing a time.Duration
// (about 106,000 days); quiz's limits are much smaller still.
const maxDurationDays = 100_000

// ParseDuration parses 30s, 10m, 2h, 1d or combinations such as 1h30m.
// Values too large for a time.Duration are an error, never a wrap-around.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	m := durationWord.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	units := []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, part := range m[1:] {
		if part == "" {
			continue
		}
		n, err := strconv.ParseInt(part[:len(part)-1], 10, 64)
		if err != nil || n > maxDurationDays*int64(24*time.Hour/units[i]) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		d := time.Duration(n) * units[i]
		if total > math.MaxInt64-d {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += d
	}
	return total, nil
}

// orList writes "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// spelledDuration is a duration written out: 10, 10min, 2hours, 1day.
var spelledDuration = regexp.MustCompile(`^(\d{1,6}) ?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?$`)

// durationHint is the duration a near miss such as "10" or "10min" meant
// ("10m"), or "".
func durationHint(w string) string {
	m := spelledDuration.FindStringSubmatch(strings.ToLower(w))
	if m == nil {
		return ""
	}
	unit := "m"
	if m[2] != "" {
		unit = m[2][:1]
	}
	return m[1] + unit
}
