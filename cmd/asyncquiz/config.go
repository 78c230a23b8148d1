package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on hosts and images without tzdata

	"github.com/asyncquiz/asyncquiz/quiz"
)

// Config holds every setting; it is read once from the environment, then
// flags of the same meaning override it. Nothing reads the environment later.
type Config struct {
	Addr         string
	DB           string
	Questions    []string
	Bank         string // questions commands only: replaces the built-in bank
	TZ           string
	LogLevel     string
	SlackBot     secret
	SlackSigning secret
	SlackApp     secret
	SlackAPIURL  string
	DiscordBot   secret
	DiscordApp   string
	DiscordKey   string
	DiscordGuild string
	DiscordGW    bool
	DiscordAPI   string
	Admins       []string // ASYNCQUIZ_ADMINS: Slack user ids who may change daily schedules
	Limits       string   // ASYNCQUIZ_LIMITS: starts=20,team_starts=120,drills=30,schedule_changes=20,schedules=200

	// The flags registered over variables, so that a message names the
	// flag the user passed rather than the variable they did not set.
	fs     *flag.FlagSet
	flagOf map[string]string // variable -> flag name on fs
}

// settings documents every environment variable asyncquiz reads, with its
// format: a flag over a variable takes its usage from here (flagUsage), so
// serve -h shows them all, and a test holds loadConfig to this list.
var settings = map[string]string{
	"ASYNCQUIZ_ADDR":      "HTTP listen address, host:port or :port",
	"ASYNCQUIZ_DB":        "SQLite file path, or a postgres:// (postgresql://) URL",
	"ASYNCQUIZ_QUESTIONS": "extra question `folders`, separated by " + string(os.PathListSeparator),
	"ASYNCQUIZ_TZ":        "default IANA time zone of daily schedules and leaderboard weeks, e.g. Europe/Berlin",
	"ASYNCQUIZ_LOG_LEVEL": "debug, info, warn or error",
	"ASYNCQUIZ_ADMINS": "Slack user `ids` who may change daily schedules besides workspace admins and owners:\n" +
		"comma-separated, e.g. U012AB3CD,W0456EFGH (user ids only, no team prefix; Discord uses Manage Channels)",
	"ASYNCQUIZ_LIMITS": fmt.Sprintf("limits per %s over the defaults, comma-separated name=number (0 turns one off):\n"+
		"starts=%d (rounds per person), team_starts=%d (per team), drills=%d (per person),\n"+
		"schedule_changes=%d (per person), schedules=%d (daily schedules a team may have)",
		durationWord(quiz.LimitWindow), quiz.DefaultLimits.StartsPerUser, quiz.DefaultLimits.StartsPerTeam, quiz.DefaultLimits.DrillsPerUser,
		quiz.DefaultLimits.ScheduleChanges, quiz.DefaultLimits.SchedulesPerTeam),
	"SLACK_BOT_TOKEN":      "Slack bot `token`, xoxb-...",
	"SLACK_SIGNING_SECRET": "Slack signing `secret`, for the HTTP endpoints",
	"SLACK_APP_TOKEN":      "Slack app-level `token`, xapp-...: Socket Mode instead of the HTTP endpoints",
	"SLACK_API_URL":        "Slack Web API base URL (default https://slack.com/api/)",
	"DISCORD_BOT_TOKEN":    "Discord bot `token`",
	"DISCORD_APP_ID":       "Discord application id, numeric",
	"DISCORD_PUBLIC_KEY":   "Discord application public key, 64 hex characters (optional with the gateway)",
	"DISCORD_GUILD_ID": "register /asyncquiz in this guild only (numeric id; instant); unset: globally. Copies\n" +
		"registered elsewhere (globally, in other guilds) are deleted at start, so Discord lists it once",
	"DISCORD_GATEWAY": "receive interactions over the gateway instead of the HTTP endpoint (variable: true turns it on, any other value off)",
	"DISCORD_API_URL": "Discord REST base URL (default https://discord.com/api/v9)",
}

func durationWord(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	return d.String()
}

// flagUsage records that flag name on fs overrides variable env and
// returns the flag's usage: the variable's meaning and format, and its
// name.
func (c *Config) flagUsage(fs *flag.FlagSet, name, env string) string {
	help, ok := settings[env]
	if !ok {
		panic("no settings entry for " + env) // a programming mistake, caught by any test that registers the flag
	}
	if c.fs != fs {
		c.fs, c.flagOf = fs, map[string]string{}
	}
	c.flagOf[env] = name
	return help + " (" + env + ")"
}

// name is how a message names the setting of variable env: --flag when the
// user passed the flag over it, else the variable.
func (c *Config) name(env string) string {
	flagName, ok := c.flagOf[env]
	if !ok || c.fs == nil {
		return env
	}
	set := false
	c.fs.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
	if set {
		return "--" + flagName
	}
	return env
}

// named is name followed by the value as the user wrote it: "--db x.db" or
// "ASYNCQUIZ_DB=x.db".
func (c *Config) named(env, value string) string {
	if n := c.name(env); n != env {
		return n + " " + value
	}
	return env + "=" + value
}

// secret prints as *** so it can never reach a log or an error message.
type secret string

func (s secret) String() string {
	if s == "" {
		return ""
	}
	return "***"
}

// env is a lookup function, os.LookupEnv in production.
type env func(string) (string, bool)

func loadConfig(getenv env) Config {
	get := func(k, def string) string {
		if v, ok := getenv(k); ok && v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:         get("ASYNCQUIZ_ADDR", ":8080"),
		DB:           get("ASYNCQUIZ_DB", "asyncquiz.db"),
		TZ:           get("ASYNCQUIZ_TZ", "UTC"),
		LogLevel:     get("ASYNCQUIZ_LOG_LEVEL", "info"),
		SlackBot:     secret(get("SLACK_BOT_TOKEN", "")),
		SlackSigning: secret(get("SLACK_SIGNING_SECRET", "")),
		SlackApp:     secret(get("SLACK_APP_TOKEN", "")),
		SlackAPIURL:  get("SLACK_API_URL", ""),
		DiscordBot:   secret(get("DISCORD_BOT_TOKEN", "")),
		DiscordApp:   get("DISCORD_APP_ID", ""),
		DiscordKey:   get("DISCORD_PUBLIC_KEY", ""),
		DiscordGuild: get("DISCORD_GUILD_ID", ""),
		DiscordGW:    get("DISCORD_GATEWAY", "") == "true",
		DiscordAPI:   get("DISCORD_API_URL", ""),
	}
	c.Questions = splitList(get("ASYNCQUIZ_QUESTIONS", ""))
	c.Limits = get("ASYNCQUIZ_LIMITS", "")
	c.Admins = splitComma(get("ASYNCQUIZ_ADMINS", ""))
	return c
}

func splitList(s string) []string {
	var out []string
	for _, p := range filepath.SplitList(s) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// listFlag is a flag holding a colon-separated folder list.
type listFlag struct{ dst *[]string }

func (l listFlag) String() string {
	if l.dst == nil {
		return ""
	}
	return strings.Join(*l.dst, string(os.PathListSeparator))
}
func (l listFlag) Set(s string) error { *l.dst = splitList(s); return nil }

// commonFlags registers the settings every command that opens the quiz uses.
func (c *Config) commonFlags(fs *flag.FlagSet) {
	c.dbFlag(fs)
	fs.Var(listFlag{&c.Questions}, "questions", c.flagUsage(fs, "questions", "ASYNCQUIZ_QUESTIONS"))
	fs.StringVar(&c.TZ, "tz", c.TZ, c.flagUsage(fs, "tz", "ASYNCQUIZ_TZ"))
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, c.flagUsage(fs, "log-level", "ASYNCQUIZ_LOG_LEVEL"))
}

// dbFlag registers --db over ASYNCQUIZ_DB.
func (c *Config) dbFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, c.flagUsage(fs, "db", "ASYNCQUIZ_DB"))
}

// location validates the time zone setting.
func (c *Config) location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TZ)
	if err != nil || c.TZ == "Local" {
		return nil, fmt.Errorf("%s: unknown time zone %q; use an IANA name such as Europe/Berlin or UTC", c.name("ASYNCQUIZ_TZ"), c.TZ)
	}
	return loc, nil
}

func (c *Config) logLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("%s: %q must be debug, info, warn or error", c.name("ASYNCQUIZ_LOG_LEVEL"), c.LogLevel)
	}
	return l, nil
}

// Validate reports every problem with the settings at once, each naming
// its flag or variable; serving also needs at least one platform.
func (c *Config) Validate(serving bool) error {
	var errs []error
	if serving && strings.TrimSpace(c.Addr) == "" {
		errs = append(errs, fmt.Errorf("%s must not be empty (for example :8080)", c.name("ASYNCQUIZ_ADDR")))
	}
	if strings.TrimSpace(c.DB) == "" {
		errs = append(errs, fmt.Errorf("%s must not be empty", c.name("ASYNCQUIZ_DB")))
	}
	if _, err := c.location(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.logLevel(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.limits(); err != nil {
		errs = append(errs, err)
	}
	if serving {
		any := false
		for _, p := range platforms {
			if p.configured(*c) {
				any = true
				if err := p.validate(*c); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if !any {
			errs = append(errs, errors.New(noPlatform))
		}
	}
	return errors.Join(errs...)
}

// limits parses ASYNCQUIZ_LIMITS over the defaults: a comma-separated list
// of name=number (0 turns a limit off).
func (c *Config) limits() (quiz.Limits, error) {
	l := quiz.DefaultLimits
	fields := map[string]*int{"starts": &l.StartsPerUser, "team_starts": &l.StartsPerTeam, "drills": &l.DrillsPerUser,
		"schedule_changes": &l.ScheduleChanges, "schedules": &l.SchedulesPerTeam}
	for _, part := range strings.Split(c.Limits, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, v, _ := strings.Cut(part, "=")
		dst, ok := fields[strings.TrimSpace(name)]
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 {
			return l, fmt.Errorf("%s: %q must be name=number with a name among starts, team_starts, drills, schedule_changes, schedules", c.name("ASYNCQUIZ_LIMITS"), part)
		}
		*dst = n
	}
	return l, nil
}
