package bot

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Defaults that users see in help.
const (
	DefaultRoundDuration = 10 * time.Minute
	DefaultDailyDeadline = 4 * time.Hour
)

// Command is a parsed, validated /asyncquiz subcommand.
type Command struct {
	Name string // start, daily, leaderboard, redo, drill, stats, help

	// start
	Duration   time.Duration
	Category   string // "" for mixed
	Difficulty int    // 0 for any

	// daily
	DailyShow bool
	DailyOff  bool
	Hour      int
	Minute    int
	TimeZone  string // IANA name; "" means the server default
	Days      Days
	Deadline  time.Duration

	// leaderboard
	Period string
	Scope  string

	// drill
	Count int
}

// usages gives the right form of every subcommand, for help and errors.
var usages = map[string]string{
	"start":       "/asyncquiz start [duration] [category] [difficulty]   e.g. /asyncquiz start 10m core hard",
	"daily":       "/asyncquiz daily HH:MM [timezone] [everyday|weekdays|mon,wed,fri] [deadline]   e.g. /asyncquiz daily 09:30 Europe/Berlin weekdays 4h; /asyncquiz daily off",
	"leaderboard": "/asyncquiz leaderboard [week|month|all] [team|channel]   e.g. /asyncquiz leaderboard month",
	"redo":        "/asyncquiz redo",
	"drill":       "/asyncquiz drill [count] [category]   e.g. /asyncquiz drill 10 core",
	"stats":       "/asyncquiz stats",
	"help":        "/asyncquiz help",
}

// Subcommands lists the subcommands in help order.
var Subcommands = []string{"start", "daily", "leaderboard", "redo", "drill", "stats", "help"}

func usageError(sub, format string, args ...any) error {
	return quiz.Errorf(quiz.EInvalid, "%s\nUsage: %s", fmt.Sprintf(format, args...), usages[sub])
}

var (
	durationWord = regexp.MustCompile(`^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$`)
	clockWord    = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
)

// ParseText parses Slack-style command text: positional words in any order
// ("start 2m advanced hard", "daily 09:30 Europe/Berlin weekdays 4h"), or
// name=value pairs with the Discord option names ("start duration=5s").
func ParseText(text string) (Command, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return Command{Name: "help"}, nil
	}
	sub := strings.ToLower(words[0])
	if _, ok := usages[sub]; !ok {
		return Command{}, unknownSubcommand(words[0])
	}
	opts := map[string]string{}
	for _, w := range words[1:] {
		name, value, ok := strings.Cut(w, "=")
		if !ok {
			name, value = classify(sub, w), w
			if name == "" {
				return Command{}, usageError(sub, "I don't understand %q.", w)
			}
		}
		name = strings.ToLower(name)
		if _, dup := opts[name]; dup {
			return Command{}, usageError(sub, "%q is given twice.", name)
		}
		opts[name] = value
	}
	return ParseOptions(sub, opts)
}

// classify names the option a positional word stands for, or "".
func classify(sub, w string) string {
	lw := strings.ToLower(w)
	switch sub {
	case "start":
		switch {
		case isDurationWord(lw):
			return "duration"
		case isCategory(lw):
			return "category"
		case parseDifficulty(lw) > 0:
			return "difficulty"
		}
	case "daily":
		switch {
		case lw == "off":
			return "off"
		case clockWord.MatchString(lw):
			return "time"
		case isDurationWord(lw):
			return "deadline"
		case isDaysWord(lw):
			return "days"
		case strings.Contains(w, "/") || lw == "utc":
			return "timezone"
		}
	case "leaderboard":
		switch lw {
		case quiz.PeriodWeek, quiz.PeriodMonth, quiz.PeriodAll:
			return "period"
		case quiz.ScopeTeam, quiz.ScopeChannel:
			return "scope"
		}
	case "drill":
		if _, err := strconv.Atoi(lw); err == nil {
			return "count"
		}
		if isCategory(lw) {
			return "category"
		}
	}
	return ""
}

func isDurationWord(w string) bool { return w != "" && durationWord.MatchString(w) }

// ParseDuration parses 30s, 10m, 2h, 1d or combinations such as 1h30m.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !isDurationWord(s) {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		s = rest
	}
	if s != "" {
		more, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d += more
	}
	return d, nil
}

func isCategory(w string) bool {
	if w == "mixed" {
		return true
	}
	for _, c := range questions.Categories {
		if c == w {
			return true
		}
	}
	return false
}

func parseDifficulty(w string) int {
	switch strings.ToLower(w) {
	case "easy", "1":
		return 1
	case "medium", "2":
		return 2
	case "hard", "3":
		return 3
	}
	return 0
}

// ParseOptions validates a subcommand and its named options (the Discord
// option names). Unknown options and bad values return EInvalid errors whose
// message shows the right form.
func ParseOptions(sub string, opts map[string]string) (Command, error) {
	sub = strings.ToLower(sub)
	if _, ok := usages[sub]; !ok {
		return Command{}, unknownSubcommand(sub)
	}
	c := Command{Name: sub}
	allowed := map[string][]string{
		"start":       {"duration", "category", "difficulty"},
		"daily":       {"time", "timezone", "days", "deadline", "off"},
		"leaderboard": {"period", "scope"},
		"drill":       {"count", "category"},
	}[sub]
	for name := range opts {
		if !contains(allowed, name) {
			if len(allowed) == 0 {
				return Command{}, usageError(sub, "%s takes no options.", sub)
			}
			return Command{}, usageError(sub, "Unknown option %q; %s takes %s.", name, sub, strings.Join(allowed, ", "))
		}
	}
	get := func(name string) (string, bool) {
		v, ok := opts[name]
		return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
	}
	switch sub {
	case "start":
		c.Duration = DefaultRoundDuration
		if v, ok := get("duration"); ok {
			d, err := ParseDuration(v)
			if err != nil || d < quiz.MinDuration || d > quiz.MaxDuration {
				return Command{}, usageError(sub, "The duration %q must be between 5s and 7d, for example 30s, 10m, 2h or 1d.", v)
			}
			c.Duration = d
		}
		if err := parseCategory(sub, get, &c); err != nil {
			return Command{}, err
		}
		if v, ok := get("difficulty"); ok {
			if c.Difficulty = parseDifficulty(v); c.Difficulty == 0 {
				return Command{}, usageError(sub, "Difficulty %q must be easy, medium or hard.", v)
			}
		}
	case "daily":
		return parseDaily(c, get)
	case "leaderboard":
		c.Period, c.Scope = quiz.PeriodWeek, quiz.ScopeTeam
		if v, ok := get("period"); ok {
			c.Period = strings.ToLower(v)
			if !contains([]string{quiz.PeriodWeek, quiz.PeriodMonth, quiz.PeriodAll}, c.Period) {
				return Command{}, usageError(sub, "Period %q must be week, month or all.", v)
			}
		}
		if v, ok := get("scope"); ok {
			c.Scope = strings.ToLower(v)
			if !contains([]string{quiz.ScopeTeam, quiz.ScopeChannel}, c.Scope) {
				return Command{}, usageError(sub, "Scope %q must be team or channel.", v)
			}
		}
	case "drill":
		c.Count = quiz.DefaultDrillCount
		if v, ok := get("count"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > quiz.MaxDrillCount {
				return Command{}, usageError(sub, "Count %q must be a number from 1 to %d.", v, quiz.MaxDrillCount)
			}
			c.Count = n
		}
		if err := parseCategory(sub, get, &c); err != nil {
			return Command{}, err
		}
	}
	return c, nil
}

func parseCategory(sub string, get func(string) (string, bool), c *Command) error {
	v, ok := get("category")
	if !ok {
		return nil
	}
	lv := strings.ToLower(v)
	if !isCategory(lv) {
		return usageError(sub, "Category %q must be one of %s or mixed.", v, strings.Join(questions.Categories, ", "))
	}
	if lv != "mixed" {
		c.Category = lv
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unknownSubcommand suggests the closest subcommand.
func unknownSubcommand(w string) error {
	best, bestD := "", 3
	for _, s := range Subcommands {
		if d := editDistance(strings.ToLower(w), s); d < bestD {
			best, bestD = s, d
		}
	}
	hint := ""
	if best != "" {
		hint = fmt.Sprintf(" Did you mean %q?", best)
	}
	return quiz.Errorf(quiz.EInvalid, "Unknown command %q.%s Commands: %s. Try /asyncquiz help.", w, hint, strings.Join(Subcommands, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Days is a set of weekdays a daily schedule runs on.
type Days [7]bool

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseDays parses everyday, weekdays, weekends or a list such as mon,wed,fri.
func ParseDays(s string) (Days, error) {
	var d Days
	switch strings.ToLower(s) {
	case "everyday", "daily", "all":
		for i := range d {
			d[i] = true
		}
		return d, nil
	case "weekdays":
		for i := 1; i <= 5; i++ {
			d[i] = true
		}
		return d, nil
	case "weekends":
		d[0], d[6] = true, true
		return d, nil
	}
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		i := indexOfDay(strings.TrimSpace(part))
		if i < 0 {
			return Days{}, fmt.Errorf("unknown day %q", part)
		}
		d[i] = true
	}
	return d, nil
}

func indexOfDay(p string) int {
	if len(p) < 3 {
		return -1
	}
	for i, n := range dayNames {
		full := strings.ToLower(time.Weekday(i).String())
		if p == n || p == full {
			return i
		}
	}
	return -1
}

func isDaysWord(w string) bool {
	_, err := ParseDays(w)
	return err == nil
}

// String renders the days as everyday, weekdays, weekends or a list.
func (d Days) String() string {
	var on []string
	for i, ok := range d {
		if ok {
			on = append(on, dayNames[i])
		}
	}
	switch strings.Join(on, ",") {
	case "sun,mon,tue,wed,thu,fri,sat":
		return "everyday"
	case "mon,tue,wed,thu,fri":
		return "weekdays"
	case "sun,sat":
		return "weekends"
	}
	// Monday first reads better.
	sort.SliceStable(on, func(i, j int) bool { return (indexOfDay(on[i])+6)%7 < (indexOfDay(on[j])+6)%7 })
	return strings.Join(on, ",")
}

func parseDaily(c Command, get func(string) (string, bool)) (Command, error) {
	const sub = "daily"
	if v, ok := get("off"); ok {
		if strings.ToLower(v) != "off" && strings.ToLower(v) != "true" {
			return Command{}, usageError(sub, "Use /asyncquiz daily off to stop the daily quiz.")
		}
		for _, n := range []string{"time", "timezone", "days", "deadline"} {
			if _, set := get(n); set {
				return Command{}, usageError(sub, "daily off takes nothing else.")
			}
		}
		c.DailyOff = true
		return c, nil
	}
	v, ok := get("time")
	if !ok {
		for _, n := range []string{"timezone", "days", "deadline"} {
			if _, set := get(n); set {
				return Command{}, usageError(sub, "Give the time of day first, as HH:MM.")
			}
		}
		c.DailyShow = true
		return c, nil
	}
	m := clockWord.FindStringSubmatch(v)
	if m == nil {
		return Command{}, usageError(sub, "Time %q must be HH:MM on a 24-hour clock, for example 09:30.", v)
	}
	c.Hour, _ = strconv.Atoi(m[1])
	c.Minute, _ = strconv.Atoi(m[2])
	if c.Hour > 23 || c.Minute > 59 {
		return Command{}, usageError(sub, "Time %q must be HH:MM on a 24-hour clock, for example 09:30.", v)
	}
	if tz, ok := get("timezone"); ok {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			return Command{}, usageError(sub, "Unknown time zone %q. Use an IANA name such as Europe/Berlin, America/New_York or UTC.", tz)
		}
		c.TimeZone = tz
	}
	c.Days, _ = ParseDays("everyday")
	if ds, ok := get("days"); ok {
		d, err := ParseDays(ds)
		if err != nil {
			return Command{}, usageError(sub, "Days %q must be everyday, weekdays, weekends or a list such as mon,wed,fri.", ds)
		}
		c.Days = d
	}
	c.Deadline = DefaultDailyDeadline
	if dl, ok := get("deadline"); ok {
		d, err := ParseDuration(dl)
		if err != nil || d < quiz.MinDuration || d > 23*time.Hour {
			return Command{}, usageError(sub, "Deadline %q must be between 5s and 23h, for example 4h.", dl)
		}
		c.Deadline = d
	}
	return c, nil
}
