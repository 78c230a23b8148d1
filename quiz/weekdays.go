package quiz

import (
	"strings"
	"time"
)

// Weekdays is a set of days of the week (bit i is time.Weekday(i)), the
// days a daily schedule runs on.
type Weekdays uint8

// Common sets.
const (
	Everyday Weekdays = 1<<7 - 1
	Weekend  Weekdays = 1<<time.Sunday | 1<<time.Saturday
	Workdays Weekdays = Everyday &^ Weekend
)

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekdays reads everyday, weekdays, weekends or a comma-separated
// list of days (mon,wed,fri; full names work too), in any case. The error
// names the word it did not understand.
func ParseWeekdays(s string) (Weekdays, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "everyday", "daily", "all":
		return Everyday, nil
	case "weekdays":
		return Workdays, nil
	case "weekends":
		return Weekend, nil
	}
	var d Weekdays
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		i := dayIndex(strings.TrimSpace(part))
		if i < 0 {
			return 0, Errorf(EInvalid, "%q is not a day; use mon, tue, wed, thu, fri, sat or sun.", clipText(strings.TrimSpace(part), 40))
		}
		d |= 1 << uint(i)
	}
	return d, nil
}

func dayIndex(p string) int {
	if len(p) < 3 {
		return -1
	}
	for i, n := range dayNames {
		if p == n || p == strings.ToLower(time.Weekday(i).String()) {
			return i
		}
	}
	return -1
}

// Has reports whether w is in the set.
func (d Weekdays) Has(w time.Weekday) bool { return d&(1<<uint(w)) != 0 }

// String renders the set as everyday, weekdays, weekends or a list,
// Monday first.
func (d Weekdays) String() string {
	switch d {
	case Everyday:
		return "everyday"
	case Workdays:
		return "weekdays"
	case Weekend:
		return "weekends"
	}
	var on []string
	for i := 1; i <= 7; i++ {
		if w := time.Weekday(i % 7); d.Has(w) {
			on = append(on, dayNames[w])
		}
	}
	return strings.Join(on, ",")
}

// Words describes the set in a sentence ("every weekday (Mon-Fri)").
func (d Weekdays) Words() string {
	switch d {
	case Everyday:
		return "day"
	case Workdays:
		return "weekday (Mon-Fri)"
	case Weekend:
		return "weekend day"
	}
	return d.String()
}

func (d Weekdays) validate() error {
	if d == 0 || d > Everyday {
		return Errorf(EInvalid, "Choose at least one day: everyday, weekdays or a list such as mon,wed,fri.")
	}
	return nil
}
