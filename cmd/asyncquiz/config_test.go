package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// clearPlatforms unsets every platform variable for the test.
func clearPlatforms(t *testing.T) {
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DISCORD_BOT_TOKEN",
		"DISCORD_APP_ID", "DISCORD_PUBLIC_KEY", "DISCORD_GUILD_ID", "DISCORD_GATEWAY", "DISCORD_API_URL"} {
		t.Setenv(k, "")
	}
}

// A message names the flag when the user passed it, and the variable
// when the setting came from the environment.
func TestConfig_ErrorsNameFlagOrVariable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir", "q.db")
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"tz_flag":         {nil, []string{"play", "--tz", "Mars/Olympus"}, "--tz: unknown time zone"},
		"tz_env":          {map[string]string{"ASYNCQUIZ_TZ": "Mars/Olympus"}, []string{"play"}, "ASYNCQUIZ_TZ: unknown time zone"},
		"log_level_flag":  {nil, []string{"play", "--log-level", "loud"}, "--log-level: \"loud\""},
		"log_level_env":   {map[string]string{"ASYNCQUIZ_LOG_LEVEL": "loud"}, []string{"play"}, "ASYNCQUIZ_LOG_LEVEL: \"loud\""},
		"db_empty_flag":   {nil, []string{"serve", "--db", ""}, "--db must not be empty"},
		"db_open_flag":    {nil, []string{"migrate", "--db", missing}, "--db " + missing + ": directory " + filepath.Dir(missing) + " does not exist; create it, or point --db elsewhere"},
		"db_open_env":     {map[string]string{"ASYNCQUIZ_DB": missing}, []string{"rounds"}, "ASYNCQUIZ_DB=" + missing + ": directory " + filepath.Dir(missing) + " does not exist; create it, or point ASYNCQUIZ_DB elsewhere"},
		"db_dir_play":     {nil, []string{"play", "--db", os.TempDir()}, "--db " + os.TempDir() + ": " + os.TempDir() + " is a directory, not a database file"},
		"limits_flag":     {nil, []string{"serve", "--limits", "starts=lots"}, "--limits: \"starts=lots\""},
		"limits_env":      {map[string]string{"ASYNCQUIZ_LIMITS": "starts=lots"}, []string{"serve"}, "ASYNCQUIZ_LIMITS: \"starts=lots\""},
		"slack_flag":      {map[string]string{"SLACK_SIGNING_SECRET": "s"}, []string{"serve", "--slack-bot-token", "xoxp-1"}, "--slack-bot-token must be a bot token"},
		"slack_env":       {map[string]string{"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxp-1"}, []string{"serve"}, "SLACK_BOT_TOKEN must be a bot token"},
		"discord_flag":    {nil, []string{"serve", "--discord-bot-token", "t", "--discord-app-id", "nope", "--discord-gateway"}, "--discord-app-id must be"},
		"discord_env":     {map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": "nope", "DISCORD_GATEWAY": "true"}, []string{"serve"}, "DISCORD_APP_ID must be"},
		"guild_flag":      {map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": "123456"}, []string{"discord", "register", "--guild", "abc"}, "--guild must be a numeric guild id"},
		"guild_env":       {map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": "123456", "DISCORD_GUILD_ID": "abc"}, []string{"discord", "register"}, "DISCORD_GUILD_ID must be a numeric guild id"},
		"slack_url_flag":  {map[string]string{"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}, []string{"serve", "--slack-api-url", "nope"}, "--slack-api-url \"nope\" is not an absolute URL"},
		"slack_url_env":   {map[string]string{"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "nope"}, []string{"serve"}, "SLACK_API_URL \"nope\" is not an absolute URL"},
		"flag_beats_env":  {map[string]string{"ASYNCQUIZ_TZ": "UTC"}, []string{"play", "--tz", "Mars/Olympus"}, "--tz: unknown time zone \"Mars/Olympus\""},
		"env_other_flags": {map[string]string{"ASYNCQUIZ_TZ": "Mars/Olympus"}, []string{"play", "--log-level", "debug"}, "ASYNCQUIZ_TZ: unknown time zone"},
	} {
		t.Run(name, func(t *testing.T) {
			clearPlatforms(t)
			for _, k := range []string{"ASYNCQUIZ_TZ", "ASYNCQUIZ_LOG_LEVEL", "ASYNCQUIZ_LIMITS"} {
				t.Setenv(k, "")
			}
			t.Setenv("ASYNCQUIZ_DB", filepath.Join(t.TempDir(), "x.db"))
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errs := runCmd(t, "", tc.args...)
			if code == 0 || !strings.Contains(errs, tc.want) {
				t.Fatalf("%q: exit %d, stderr %q; want it to contain %q", tc.args, code, errs, tc.want)
			}
		})
	}
}

// envNamePattern matches the names of the variables asyncquiz reads.
var envNamePattern = regexp.MustCompile(`\b(?:ASYNCQUIZ|SLACK|DISCORD)_[A-Z_]*[A-Z]\b`)

// Every variable the server reads appears in serve -h with its meaning:
// the list is what loadConfig asks the environment for, plus every such
// name in the command's source, not a copy kept in this test.
func TestServeHelp_ListsEveryVariable(t *testing.T) {
	read := map[string]bool{}
	loadConfig(func(k string) (string, bool) { read[k] = true; return "", false })
	if len(read) < 10 {
		t.Fatalf("loadConfig read only %v", read)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range envNamePattern.FindAllString(string(src), -1) {
			named[k] = true
		}
	}
	for k := range named {
		if !read[k] {
			t.Errorf("%s is named in the source but loadConfig does not read it", k)
		}
	}
	for k := range settings {
		if !read[k] {
			t.Errorf("settings documents %s, which loadConfig does not read", k)
		}
	}
	code, out, errs := runCmd(t, "", "serve", "-h")
	if code != 0 {
		t.Fatalf("serve -h: exit %d, %s", code, errs)
	}
	var names []string
	for k := range read {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !strings.Contains(out, "("+k+")") {
			t.Errorf("serve -h does not list %s", k)
		}
		// Its documented meaning, flattened the way the flag package
		// prints a multi-line usage.
		help := strings.NewReplacer("`", "", "\n", "\n    \t").Replace(settings[k])
		if settings[k] == "" || !strings.Contains(out, help) {
			t.Errorf("serve -h lacks the format of %s (%q)", k, settings[k])
		}
	}
	if !strings.Contains(out, "U012AB3CD,W0456EFGH") {
		t.Errorf("serve -h does not show the format of ASYNCQUIZ_ADMINS:\n%s", out)
	}
}

// ASYNCQUIZ_ADMINS and --admins give the same list: comma-separated, spaces
// and empty items dropped.
func TestConfig_Admins(t *testing.T) {
	c := loadConfig(func(k string) (string, bool) {
		if k == "ASYNCQUIZ_ADMINS" {
			return " U012AB3CD, ,W0456EFGH ", true
		}
		return "", false
	})
	if got := strings.Join(c.Admins, "|"); got != "U012AB3CD|W0456EFGH" {
		t.Fatalf("Admins=%q", got)
	}
}
