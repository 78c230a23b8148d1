package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/quiz"
)

func TestParseText(t *testing.T) {
	tests := map[string]struct {
		text  string
		check func(t *testing.T, c bot.Command)
	}{
		"ok_empty_is_help": {"", func(t *testing.T, c bot.Command) { want(t, c.Name, "help") }},
		"ok_start_default": {"start", func(t *testing.T, c bot.Command) {
			want(t, c.Name, "start")
			want(t, c.Duration, bot.DefaultRoundDuration)
			want(t, c.Category, "")
			want(t, c.Difficulty, 0)
		}},
		"ok_start_positional": {"start 2m advanced hard", func(t *testing.T, c bot.Command) {
			want(t, c.Duration, 2*time.Minute)
			want(t, c.Category, "advanced")
			want(t, c.Difficulty, 3)
		}},
		"ok_start_any_order": {"START hard 1h30m real-world", func(t *testing.T, c bot.Command) {
			want(t, c.Duration, 90*time.Minute)
			want(t, c.Category, "real-world")
			want(t, c.Difficulty, 3)
		}},
		"ok_start_named":       {"start duration=5s", func(t *testing.T, c bot.Command) { want(t, c.Duration, 5*time.Second) }},
		"ok_start_days":        {"start 7d", func(t *testing.T, c bot.Command) { want(t, c.Duration, 7*24*time.Hour) }},
		"ok_start_mixed":       {"start mixed", func(t *testing.T, c bot.Command) { want(t, c.Category, "") }},
		"ok_leaderboard":       {"leaderboard", func(t *testing.T, c bot.Command) { want(t, c.Period, "week"); want(t, c.Scope, "team") }},
		"ok_leaderboard_all":   {"leaderboard all", func(t *testing.T, c bot.Command) { want(t, c.Period, "all") }},
		"ok_leaderboard_scope": {"leaderboard channel month", func(t *testing.T, c bot.Command) { want(t, c.Period, "month"); want(t, c.Scope, "channel") }},
		"ok_drill_default":     {"drill", func(t *testing.T, c bot.Command) { want(t, c.Count, 10) }},
		"ok_drill":             {"drill 3 core", func(t *testing.T, c bot.Command) { want(t, c.Count, 3); want(t, c.Category, "core") }},
		"ok_drill_new":         {"drill 5 new core", func(t *testing.T, c bot.Command) { want(t, c.Count, 5); want(t, c.NewDrill, true) }},
		"ok_drill_not_new":     {"drill 5", func(t *testing.T, c bot.Command) { want(t, c.NewDrill, false) }},
		"ok_daily_show":        {"daily", func(t *testing.T, c bot.Command) { want(t, c.DailyShow, true) }},
		"ok_daily_off":         {"daily off", func(t *testing.T, c bot.Command) { want(t, c.DailyOff, true) }},
		"ok_daily_full": {"daily 09:30 Europe/Berlin weekdays 4h", func(t *testing.T, c bot.Command) {
			want(t, c.Hour, 9)
			want(t, c.Minute, 30)
			want(t, c.TimeZone, "Europe/Berlin")
			want(t, c.Days.String(), "weekdays")
			want(t, c.Deadline, 4*time.Hour)
		}},
		"ok_daily_list": {"daily 7:05 mon,wed,fri", func(t *testing.T, c bot.Command) {
			want(t, c.Days.String(), "mon,wed,fri")
			want(t, c.Deadline, bot.DefaultDailyDeadline)
		}},
		"ok_stats": {"stats", func(t *testing.T, c bot.Command) { want(t, c.Name, "stats") }},
		"ok_redo":  {"redo", func(t *testing.T, c bot.Command) { want(t, c.Name, "redo") }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := bot.ParseText(tc.text)
			if err != nil {
				t.Fatalf("ParseText(%q): %v", tc.text, err)
			}
			tc.check(t, c)
		})
	}
}

func want[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Every bad input is an EInvalid error whose message shows the right form.
func TestParseText_Errors(t *testing.T) {
	tests := map[string]struct {
		text     string
		contains []string
	}{
		"err_unknown_subcommand": {"strat 10m", []string{`Unknown command "strat"`, `Did you mean "start"`}},
		"err_bad_duration":       {"start 10x", []string{`"10x"`, "Usage: /asyncquiz start"}},
		"err_short_duration":     {"start 4s", []string{"between 5s and 7d"}},
		"err_long_duration":      {"start 8d", []string{"between 5s and 7d"}},
		"err_unknown_category":   {"start category=expert", []string{"Category", "basics"}},
		"err_bad_difficulty":     {"start difficulty=impossible", []string{"easy, medium or hard"}},
		"err_duplicate":          {"start 1m 2m", []string{"twice"}},
		"err_unknown_option":     {"start color=red", []string{`Unknown option "color"`}},
		"err_bad_timezone":       {"daily 09:30 Mars/Olympus", []string{"Unknown time zone", "Europe/Berlin"}},
		"err_bad_time":           {"daily 25:00", []string{"HH:MM"}},
		"err_bad_days":           {"daily 09:00 days=funday", []string{"weekdays"}},
		"err_daily_no_time":      {"daily Europe/Berlin", []string{"HH:MM"}},
		"err_daily_off_extra":    {"daily off 09:00", []string{"daily off"}},
		"err_deadline":           {"daily 09:00 2d", []string{"23h"}},
		"err_leaderboard":        {"leaderboard year", []string{"leaderboard [week|month|quarter|all]"}},
		"err_drill_count":        {"drill 0", []string{"1 to 50"}},
		"err_drill_big":          {"drill 500", []string{"1 to 50"}},
		"err_stats_args":         {"stats me", []string{"Usage: /asyncquiz stats"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := bot.ParseText(tc.text)
			if got, want := quiz.ErrorCode(err), quiz.EInvalid; got != want {
				t.Fatalf("ParseText(%q) code=%q (%v), want %q", tc.text, got, err, want)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Fatalf("message %q does not contain %q", err.Error(), s)
				}
			}
		})
	}
}

// Discord sends named options; the same validation applies.
func TestParseOptions(t *testing.T) {
	c, err := bot.ParseOptions("start", map[string]string{"duration": "30s", "category": "core", "difficulty": "easy"})
	if err != nil {
		t.Fatal(err)
	}
	want(t, c.Duration, 30*time.Second)
	want(t, c.Difficulty, 1)
	if _, err := bot.ParseOptions("leaderboard", map[string]string{"period": "decade"}); quiz.ErrorCode(err) != quiz.EInvalid {
		t.Fatalf("stale choice accepted: %v", err)
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{"start 10m", "daily 09:30 Europe/Berlin weekdays 4h", "leaderboard all", "drill 3 core", "start duration=5s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := bot.ParseText(s)
		if err != nil && quiz.ErrorCode(err) != quiz.EInvalid {
			t.Fatalf("ParseText(%q) returned an uncoded error %v", s, err)
		}
		if err == nil && c.Name == "" {
			t.Fatalf("ParseText(%q) returned no command", s)
		}
	})
}

func TestHelp_OneCommand(t *testing.T) {
	c, err := bot.ParseText("help start")
	if err != nil || c.Topic != "start" {
		t.Fatalf("help start: %+v, %v", c, err)
	}
	text := bot.HelpFor("start").Message.Text
	for _, want := range []string{"Usage: /asyncquiz start [duration]", "duration:", "Example: /asyncquiz start 10m core hard"} {
		if !strings.Contains(text, want) {
			t.Fatalf("help start %q lacks %q", text, want)
		}
	}
}

func TestParseText_NearMisses(t *testing.T) {
	for text, want := range map[string]string{
		"start 10":                  "Did you mean 10m?",
		"start 10 minutes":          "Did you mean 10m?",
		"start 10min":               "Did you mean 10m?",
		"start 2hours":              "Did you mean 2h?",
		"START 5m":                  "",
		"daily 09:00 CET":           "",
		"daily 09:00 utc weekdays":  "",
		"start 226257929241703d":    "not a duration",
		"daily 09:00 mon,wed,fry":   `"fry" is not a day`,
		"daily 09:00 europe/berlin": "",
	} {
		_, err := bot.ParseText(text)
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", text, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", text, err, want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30s", "10m", "2h", "1d", "1h30m", "226257929241703d", "9223372036854775807s", "", "1d1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := bot.ParseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v: a duration wrapped around", s, d)
		}
	})
}

// An error echoes what was typed, cut short: a pasted megabyte comes back
// as 40 characters and an ellipsis, whichever option it was given for.
func TestParseText_EchoesAreClipped(t *testing.T) {
	long, digits := strings.Repeat("x", 5000), strings.Repeat("9", 5000)
	for _, text := range []string{
		"start " + digits, "start duration=" + digits, "drill " + digits,
		long, "start " + long, "start duration=" + long, "start category=" + long, "start " + long + "=1",
		"start d" + long + "=1 d" + long + "=2", "daily time=" + long, "daily 09:00 timezone=" + long,
		"daily 09:00 days=" + long, "daily 09:00 days=mon," + long, "drill count=" + long, "stats team=" + long,
	} {
		_, err := bot.ParseText(text)
		if err == nil {
			t.Fatalf("ParseText(%.20q…) accepted", text)
		}
		if msg := quiz.ErrorMessage(err); strings.Contains(msg, strings.Repeat("x", 41)) || strings.Contains(msg, strings.Repeat("9", 41)) {
			t.Errorf("ParseText(%.20q…): the message echoes %d bytes: %.120q", text, len(msg), msg)
		}
	}
}
