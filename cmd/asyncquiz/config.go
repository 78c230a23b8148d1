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
	c.Admins = adminsFromEnv(getenv)
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
	fs.StringVar(&c.DB, "db", c.DB, "SQLite file or postgres:// URL (ASYNCQUIZ_DB)")
	fs.Var(listFlag{&c.Questions}, "questions", "extra question folders, colon-separated (ASYNCQUIZ_QUESTIONS)")
	fs.StringVar(&c.TZ, "tz", c.TZ, "default IANA time zone (ASYNCQUIZ_TZ)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (ASYNCQUIZ_LOG_LEVEL)")
}

// location validates the time zone setting.
func (c *Config) location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TZ)
	if err != nil || c.TZ == "Local" {
		return nil, fmt.Errorf("ASYNCQUIZ_TZ: unknown time zone %q; use an IANA name such as Europe/Berlin or UTC", c.TZ)
	}
	return loc, nil
}

func (c *Config) logLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("ASYNCQUIZ_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// Validate reports every problem with the settings at once, each naming
// its variable; serving also needs at least one platform.
func (c *Config) Validate(serving bool) error {
	var errs []error
	if serving && strings.TrimSpace(c.Addr) == "" {
		errs = append(errs, errors.New("ASYNCQUIZ_ADDR must not be empty (for example :8080)"))
	}
	if strings.TrimSpace(c.DB) == "" {
		errs = append(errs, errors.New("ASYNCQUIZ_DB must not be empty"))
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
			return l, fmt.Errorf("ASYNCQUIZ_LIMITS: %q must be name=number with a name among starts, team_starts, drills, schedule_changes, schedules", part)
		}
		*dst = n
	}
	return l, nil
}
