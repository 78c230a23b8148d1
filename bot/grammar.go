package bot

import (
	"context"
	"slices"
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

// Kind is what an option's value looks like. The parser checks only the
// form; limits (5s to 7d, 1 to 50) are quiz's, which the options call.
type Kind int

// Option kinds.
const (
	KindDuration Kind = iota // 30s, 10m, 2h, 1d, 1h30m
	KindClock                // HH:MM on a 24-hour clock
	KindZone                 // an IANA time zone
	KindDays                 // everyday, weekdays, weekends, mon,wed,fri
	KindInt                  // a whole number
	KindChoice               // one of Choices
	KindFlag                 // the option's own name as a word ("off")
	KindUser                 // a mention: <@U123>, <@U123|ada> (adapters translate theirs to it)
)

// Option is one option of a subcommand: a positional word on Slack and in
// the terminal (recognised by its Kind), a named option on Discord.
type Option struct {
	Name        string
	Help        string // one line, for Discord and help
	Kind        Kind
	Choices     func() []string // KindChoice
	Min, Max    int             // KindInt, also registered on Discord
	Placeholder string          // how usage shows it, e.g. "HH:MM"; default [name] or [a|b]
	// apply stores the parsed value in the command, checking quiz's limits.
	apply func(c *Command, v value) error
}

// Subcommand is one /asyncquiz subcommand. Everything that knows the
// grammar (the text and Discord parsers, help, Discord's registration,
// Slack's usage hint) reads it from Grammar.
type Subcommand struct {
	Name    string
	Help    string
	Example string // a whole command, shown in help and errors
	Options []Option
	// NeedsManager: changing it needs channel-manager rights, which the
	// bot asks the platform for only then (a read, see reads, is anyone's).
	NeedsManager bool
	// reads reports whether the parsed command only shows something
	// (daily with no options, admins list), which anyone may do.
	reads func(c Command) bool
	// NotFound is the hint added when the subcommand finds nothing.
	NotFound string
	defaults func(c *Command)
	check    func(c *Command, given map[string]bool) error
	run      func(b *Bot, ctx context.Context, ev Event, c Command) (Reply, error)
}

// Usage is the subcommand's form, e.g. "/asyncquiz leaderboard [week|month|all] [team|channel]".
func (s *Subcommand) Usage() string {
	parts := []string{"/asyncquiz", s.Name}
	for _, o := range s.Options {
		switch {
		case o.Placeholder != "":
			parts = append(parts, o.Placeholder)
		case o.Kind == KindChoice && len(o.Choices()) <= 4:
			parts = append(parts, "["+strings.Join(o.Choices(), "|")+"]")
		case o.Kind == KindFlag:
			parts = append(parts, "["+o.Name+"]")
		default:
			parts = append(parts, "["+o.Name+"]")
		}
	}
	return strings.Join(parts, " ")
}

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
	Days      quiz.Weekdays
	Deadline  time.Duration

	// leaderboard
	Period string
	Scope  string

	// drill
	Count    int
	NewDrill bool // start over even with a drill under way

	// stats
	Team bool

	// remind
	Setting string

	// admins
	AdminAction string // "" (list), add, remove
	User        string // the person named, by id
	UserName    string // their name, when the mention carried one

	// forget
	Confirm bool

	// help
	Topic string
}

func categories() []string { return append(slices.Clone(questions.Categories), "mixed") }

func difficulties() []string { return []string{"easy", "medium", "hard"} }

var categoryOption = Option{
	Name: "category", Help: "Question category", Kind: KindChoice, Choices: categories,
	apply: func(c *Command, v value) error {
		if c.Category = v.s; v.s == "mixed" {
			c.Category = ""
		}
		return nil
	},
}

// grammarTable is filled by init, not by its declaration: the help
// subcommand reads the grammar, which a variable initialiser cannot refer
// to itself through.
var grammarTable []Subcommand

func init() { grammarTable = buildGrammar() }

func grammar() []Subcommand { return grammarTable }

func buildGrammar() []Subcommand {
	return []Subcommand{
		{
			Name: "start", Help: "Post a round in this channel now", Example: "/asyncquiz start 10m core hard",
			Options: []Option{
				{Name: "duration", Help: "How long until the reveal, 5s to 7d (default 10m), e.g. 30s, 2h", Kind: KindDuration,
					apply: func(c *Command, v value) error { c.Duration = v.d; return quiz.ValidRoundDuration(v.d) }},
				categoryOption,
				{Name: "difficulty", Help: "Question difficulty", Kind: KindChoice, Choices: difficulties,
					apply: func(c *Command, v value) error { c.Difficulty = questions.ParseDifficulty(v.s); return nil }},
			},
			defaults: func(c *Command) { c.Duration = DefaultRoundDuration },
			run:      (*Bot).start,
		},
		{
			Name: "daily", Help: "Schedule a daily round in this channel (channel managers)",
			Example:      "/asyncquiz daily 09:30 Europe/Berlin weekdays 4h; /asyncquiz daily off",
			NeedsManager: true, NotFound: "Set one with /asyncquiz daily 09:30 Europe/Berlin weekdays 4h.",
			Options: []Option{
				{Name: "time", Help: "HH:MM, 24-hour clock", Kind: KindClock, Placeholder: "HH:MM",
					apply: func(c *Command, v value) error { c.Hour, c.Minute = v.n/60, v.n%60; return nil }},
				{Name: "timezone", Help: "IANA time zone, e.g. Europe/Berlin", Kind: KindZone,
					apply: func(c *Command, v value) error { c.TimeZone = v.s; return nil }},
				{Name: "days", Help: "everyday, weekdays, weekends or a list such as mon,wed,fri", Kind: KindDays,
					Placeholder: "[everyday|weekdays|mon,wed,fri]",
					apply:       func(c *Command, v value) error { c.Days = v.days; return nil }},
				{Name: "deadline", Help: "Reveal after, 1m to 23h (default 4h)", Kind: KindDuration,
					apply: func(c *Command, v value) error { c.Deadline = v.d; return quiz.ValidDailyDeadline(v.d) }},
				{Name: "off", Help: "Stop the daily quiz", Kind: KindFlag, Placeholder: "| off",
					apply: func(c *Command, v value) error { c.DailyOff = v.b; return nil }},
			},
			defaults: func(c *Command) { c.Days, c.Deadline = quiz.Everyday, DefaultDailyDeadline },
			reads:    func(c Command) bool { return c.DailyShow },
			check:    checkDaily,
			run:      (*Bot).daily,
		},
		{
			Name: "leaderboard", Help: "Top 10 and your rank", Example: "/asyncquiz leaderboard month",
			Options: []Option{
				{Name: "period", Help: "Time period (default week)", Kind: KindChoice,
					Choices: func() []string { return quiz.Periods },
					apply:   func(c *Command, v value) error { c.Period = v.s; return nil }},
				{Name: "scope", Help: "Whole team or this channel (default team)", Kind: KindChoice,
					Choices: func() []string { return []string{quiz.ScopeTeam, quiz.ScopeChannel} },
					apply:   func(c *Command, v value) error { c.Scope = v.s; return nil }},
			},
			defaults: func(c *Command) { c.Period, c.Scope = quiz.PeriodWeek, quiz.ScopeTeam },
			run:      (*Bot).leaderboard,
		},
		{Name: "redo", Help: "Your due redo questions, privately", Example: "/asyncquiz redo", run: (*Bot).redo},
		{
			Name: "drill", Help: "A private practice run with instant feedback", Example: "/asyncquiz drill 10 core",
			Options: []Option{
				{Name: "count", Help: "Questions (default 10)", Kind: KindInt, Min: 1, Max: quiz.MaxDrillCount,
					apply: func(c *Command, v value) error { c.Count = v.n; return quiz.ValidDrillCount(v.n) }},
				categoryOption,
				{Name: "new", Help: "Start over, leaving the drill under way", Kind: KindFlag,
					apply: func(c *Command, v value) error { c.NewDrill = v.b; return nil }},
			},
			defaults: func(c *Command) { c.Count = quiz.DefaultDrillCount },
			run:      (*Bot).drill,
		},
		{
			Name: "stats", Help: "Your answers, accuracy, streaks and redo queue; with team, this channel's week", Example: "/asyncquiz stats team",
			Options: []Option{{Name: "team", Help: "This channel's last 7 days instead of yours", Kind: KindFlag,
				apply: func(c *Command, v value) error { c.Team = v.b; return nil }}},
			run: (*Bot).stats,
		},
		{
			Name: "remind", Help: "Turn your private redo reminders on or off", Example: "/asyncquiz remind off",
			Options: []Option{{Name: "setting", Help: "on or off", Kind: KindChoice, Choices: func() []string { return []string{"on", "off"} },
				apply: func(c *Command, v value) error { c.Setting = v.s; return nil }}},
			run: (*Bot).remindCommand,
		},
		{
			Name: "stop", Help: "Reveal this channel's round now (its starter or a channel manager)", Example: "/asyncquiz stop",
			run: (*Bot).stop,
		},
		{
			Name: "cancel", Help: "Close this channel's round without scoring or revealing it (its starter or a channel manager)", Example: "/asyncquiz cancel",
			run: (*Bot).cancel,
		},
		{
			Name: "admins", Help: "Who besides the platform's admins may change schedules; add or remove people (channel managers)",
			Example: "/asyncquiz admins add @ada", NeedsManager: true,
			Options: []Option{
				{Name: "action", Help: "add or remove (default: list them)", Kind: KindChoice, Choices: func() []string { return []string{"add", "remove", "list"} },
					apply: func(c *Command, v value) error {
						if c.AdminAction = v.s; v.s == "list" {
							c.AdminAction = ""
						}
						return nil
					}},
				{Name: "user", Help: "The person, as a mention: @ada", Kind: KindUser, Placeholder: "[@user]",
					apply: func(c *Command, v value) error { c.User, c.UserName = v.s, v.name; return nil }},
			},
			reads: func(c Command) bool { return c.AdminAction == "" },
			check: checkAdmins,
			run:   (*Bot).admins,
		},
		{
			Name: "forget", Help: "Delete everything asyncquiz keeps about you in this team", Example: "/asyncquiz forget me",
			Options: []Option{{Name: "me", Help: "Confirm that your data should be deleted", Kind: KindFlag,
				apply: func(c *Command, v value) error { c.Confirm = v.b; return nil }}},
			run: (*Bot).forget,
		},
		{
			Name: "help", Help: "How to use asyncquiz", Example: "/asyncquiz help start",
			Options: []Option{{Name: "command", Help: "A subcommand to explain", Kind: KindChoice, Choices: subcommandNames,
				apply: func(c *Command, v value) error { c.Topic = v.s; return nil }}},
			run: func(_ *Bot, _ context.Context, _ Event, c Command) (Reply, error) { return HelpFor(c.Topic), nil },
		},
	}
}

// Grammar returns the subcommands in help order.
func Grammar() []Subcommand { return grammar() }

func subcommandNames() []string {
	var out []string
	for _, s := range grammar() {
		out = append(out, s.Name)
	}
	return out
}

func lookup(name string) (*Subcommand, bool) {
	g := grammar()
	for i := range g {
		if strings.EqualFold(g[i].Name, name) {
			return &g[i], true
		}
	}
	return nil, false
}

func checkDaily(c *Command, given map[string]bool) error {
	rest := given["time"] || given["timezone"] || given["days"] || given["deadline"]
	switch {
	case c.DailyOff && rest:
		return quiz.Errorf(quiz.EInvalid, "daily off takes nothing else.")
	case c.DailyOff:
	case !given["time"] && rest:
		return quiz.Errorf(quiz.EInvalid, "Give the time of day first, as HH:MM.")
	case !given["time"]:
		c.DailyShow = true
	}
	return nil
}

func checkAdmins(c *Command, given map[string]bool) error {
	switch {
	case c.AdminAction != "" && !given["user"]:
		return quiz.Errorf(quiz.EInvalid, "Name the person to %s with a mention, for example @ada.", c.AdminAction)
	case c.AdminAction == "" && given["user"]:
		return quiz.Errorf(quiz.EInvalid, "Say add or remove before the person.")
	}
	return nil
}
