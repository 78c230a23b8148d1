package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// The scripted session from the README: three drill questions with feedback,
// a final score and stats, exit 0.
func TestPlay_ScriptedDrill(t *testing.T) {
	t.Setenv("ASYNCQUIZ_DB", "")
	db := filepath.Join(t.TempDir(), "x.db")
	code, out, errs := runCmd(t, "/asyncquiz drill 3\nA\nB\nC\n/asyncquiz stats\n", "play", "--db", db, "--user", "ada")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"Drill 1/3", "Drill 2/3", "Drill 3/3", "Drill finished", "of 3 right", "Your asyncquiz stats", "3 answers"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, " is right.") + strings.Count(out, " is wrong."); n != 3 {
		t.Fatalf("feedback lines=%d, want 3:\n%s", n, out)
	}
}

// Scores persist across sessions in the same database file.
func TestPlay_PersistsAcrossRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if code, _, errs := runCmd(t, "/asyncquiz drill 1\nA\n", "play", "--db", db, "--user", "ada"); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	code, out, errs := runCmd(t, "/asyncquiz stats\n", "play", "--db", db, "--user", "ada")
	if code != 0 || !strings.Contains(out, "1 answers") {
		t.Fatalf("second run: exit %d, out:\n%s\nerr: %s", code, out, errs)
	}
}

func TestRun_Usage(t *testing.T) {
	if code, out, _ := runCmd(t, "", "help"); code != 0 || !strings.Contains(out, "play") || !strings.Contains(out, "questions") {
		t.Fatalf("help: exit %d, out %q", code, out)
	}
	if code, _, errs := runCmd(t, "", "nonsense"); code != 2 || !strings.Contains(errs, `unknown command "nonsense"`) {
		t.Fatalf("unknown: exit %d, err %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "play", "--bogus"); code == 0 || !strings.Contains(errs, "bogus") {
		t.Fatalf("bad flag: exit %d, err %q", code, errs)
	}
}

func TestServe_NoPlatform(t *testing.T) {
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY"} {
		t.Setenv(k, "")
	}
	code, _, errs := runCmd(t, "", "serve")
	if code == 0 {
		t.Fatalf("serve with no platform exited 0")
	}
	for _, want := range []string{"SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN", "asyncquiz play"} {
		if !strings.Contains(errs, want) {
			t.Fatalf("error %q does not name %s", errs, want)
		}
	}
}

func TestRounds_Failed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	code, out, errs := runCmd(t, "", "rounds", "--failed", "--db", db)
	if code != 0 || !strings.Contains(out, "No failed rounds.") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	// A round started in play and left open is listed.
	if code, _, errs := runCmd(t, "/asyncquiz start 1h\n", "play", "--db", db, "--user", "ada"); code != 0 {
		t.Fatalf("play: %s", errs)
	}
	code, out, _ = runCmd(t, "", "rounds", "--db", db)
	if code != 0 || !strings.Contains(out, "open") || !strings.Contains(out, "console") {
		t.Fatalf("rounds: exit %d, out %q", code, out)
	}
}

func TestExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if code, _, errs := runCmd(t, "/asyncquiz start 1h\nA\n", "play", "--db", db, "--user", "ada"); code != 0 {
		t.Fatalf("play: %s", errs)
	}
	code, out, errs := runCmd(t, "", "export", "--db", db, "--team", "local")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "round_id,channel,user_id") || !strings.Contains(lines[1], ",ada,ada,A,") {
		t.Fatalf("answers CSV:\n%s", out)
	}
	if code, _, errs := runCmd(t, "", "export", "--db", db, "--team", "nobody"); code == 0 || !strings.Contains(errs, "no rounds") {
		t.Fatalf("unknown team: exit %d, %s", code, errs)
	}
	if code, _, _ := runCmd(t, "", "export", "--db", db); code == 0 {
		t.Fatalf("export without --team exited 0")
	}
}

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	if code, out, errs := runCmd(t, "", "healthcheck", "--url", srv.URL+"/healthz"); code != 0 || !strings.Contains(out, "healthy") {
		t.Fatalf("healthy server: exit %d %s %s", code, out, errs)
	}
	if code, _, _ := runCmd(t, "", "healthcheck", "--url", srv.URL+"/nope"); code == 0 {
		t.Fatalf("404 counted as healthy")
	}
}

// Secrets given in the environment never reach an error message, even when
// the configuration is refused.
func TestServe_BadConfigNamesVariableNotSecret(t *testing.T) {
	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("SLACK_SIGNING_SECRET", "")
	t.Setenv("SLACK_APP_TOKEN", "")
	t.Setenv("DISCORD_BOT_TOKEN", "")
	t.Setenv("DISCORD_APP_ID", "")
	t.Setenv("DISCORD_PUBLIC_KEY", "")
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"bad_tz":         {map[string]string{"ASYNCQUIZ_TZ": "Mars/Olympus"}, "ASYNCQUIZ_TZ"},
		"bad_log_level":  {map[string]string{"ASYNCQUIZ_LOG_LEVEL": "loud"}, "ASYNCQUIZ_LOG_LEVEL"},
		"unreachable_db": {map[string]string{"ASYNCQUIZ_DB": "postgres://quiz:hunter2-db-secret@127.0.0.1:1/quiz?sslmode=disable&connect_timeout=2"}, "ASYNCQUIZ_DB"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errs := runCmd(t, "", "play", "--db", filepath.Join(t.TempDir(), "x.db"))
			if name == "unreachable_db" {
				code, out, errs = runCmd(t, "", "play")
			}
			if code == 0 {
				t.Fatalf("exit 0 with %v", tc.env)
			}
			if !strings.Contains(errs, tc.want) {
				t.Fatalf("error %q does not name %s", errs, tc.want)
			}
			if strings.Contains(errs+out, "hunter2-db-secret") {
				t.Fatalf("the database password leaked: %s", errs)
			}
		})
	}
}

func TestSlackManifest(t *testing.T) {
	code, out, errs := runCmd(t, "", "slack", "manifest", "--url", "https://quiz.example.com/")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m struct {
		Features struct {
			SlashCommands []struct{ Command, URL string } `yaml:"slash_commands"`
			AppHome       struct {
				Messages bool `yaml:"messages_tab_enabled"`
				ReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				Enabled bool   `yaml:"is_enabled"`
				URL     string `yaml:"request_url"`
			}
		}
	}
	if err := yaml.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("manifest is not YAML: %v\n%s", err, out)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/asyncquiz" ||
		m.Features.SlashCommands[0].URL != "https://quiz.example.com/slack/commands" {
		t.Fatalf("slash command %+v", m.Features.SlashCommands)
	}
	// Redo reminders arrive in the app's Messages tab; nobody writes back.
	if !m.Features.AppHome.Messages || !m.Features.AppHome.ReadOnly {
		t.Fatalf("app home %+v, want the Messages tab on, read-only", m.Features.AppHome)
	}
	if !m.Settings.Interactivity.Enabled || m.Settings.Interactivity.URL != "https://quiz.example.com/slack/interactions" {
		t.Fatalf("interactivity %+v", m.Settings.Interactivity)
	}
	if got := strings.Join(m.OAuth.Scopes.Bot, ","); got != "commands,chat:write,chat:write.public,users:read,channels:history,groups:history,im:history,mpim:history,im:write" {
		t.Fatalf("scopes %s", got)
	}
	if code, _, errs := runCmd(t, "", "slack", "manifest"); code != 2 || !strings.Contains(errs, "--url is required") {
		t.Fatalf("manifest without --url: exit %d, %s", code, errs)
	}
}

// --url takes only what Slack calls: https, a host, no query, no fragment.
func TestSlackManifest_URLRule(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://quiz.example.com", "is not https://"},
		{"ftp://quiz.example.com", "is not https://"},
		{"quiz.example.com", "is not https://"},
		{"https://", "has no host"},
		{"https://:443/", "has no host"},
		{"https://quiz.example.com/?x=1", "has a query"},
		{"https://quiz.example.com/?", "has a query"},
		{"https://quiz.example.com/#f", "has a fragment"},
		{"https://quiz.example.com#", "has a fragment"},
		{"https://x/?x=1#f", "has a query"},
		{"https://me:pw@quiz.example.com", "has a user name or password"},
	} {
		code, out, errs := runCmd(t, "", "slack", "manifest", "--url", tc.url)
		if code != 2 || out != "" || !strings.Contains(errs, "--url "+strconv.Quote(tc.url)+" "+tc.want) ||
			!strings.Contains(errs, "https:// URL of your server, with no query or fragment") {
			t.Errorf("--url %s: exit %d, stdout %q, stderr %q; want exit 2 naming the flag, %q and the rule", tc.url, code, out, errs, tc.want)
		}
	}
	for _, ok := range []string{"https://quiz.example.com", "https://quiz.example.com:8443/asyncquiz/", "https://127.0.0.1"} {
		if code, out, errs := runCmd(t, "", "slack", "manifest", "--url", ok); code != 0 || !strings.Contains(out, "/slack/commands") {
			t.Errorf("--url %s: exit %d, %s", ok, code, errs)
		}
	}
}

func TestServe_SlackConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"user_token":  {map[string]string{"SLACK_BOT_TOKEN": "xoxp-123", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be a bot token"},
		"no_secret":   {map[string]string{"SLACK_BOT_TOKEN": "xoxb-123"}, "SLACK_SIGNING_SECRET is required"},
		"half_socket": {map[string]string{"SLACK_BOT_TOKEN": "xoxb-123", "SLACK_APP_TOKEN": "xoxb-nope"}, "SLACK_APP_TOKEN must be an app-level token"},
		"only_secret": {map[string]string{"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN is required"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY"} {
				t.Setenv(k, tc.env[k])
			}
			code, _, errs := runCmd(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"))
			if code == 0 || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, errs, tc.want)
			}
			if strings.Contains(errs, "xoxb-123") {
				t.Fatalf("token in error: %s", errs)
			}
		})
	}
}

func TestServe_DiscordConfigErrors(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no_token":   {map[string]string{"DISCORD_APP_ID": "123456", "DISCORD_PUBLIC_KEY": key}, "DISCORD_BOT_TOKEN is required"},
		"bad_app_id": {map[string]string{"DISCORD_BOT_TOKEN": "tok-secret", "DISCORD_APP_ID": "my-app", "DISCORD_PUBLIC_KEY": key}, "DISCORD_APP_ID must be"},
		"bad_key":    {map[string]string{"DISCORD_BOT_TOKEN": "tok-secret", "DISCORD_APP_ID": "123456", "DISCORD_PUBLIC_KEY": "abc"}, "DISCORD_PUBLIC_KEY must be"},
		"no_key":     {map[string]string{"DISCORD_BOT_TOKEN": "tok-secret", "DISCORD_APP_ID": "123456"}, "DISCORD_PUBLIC_KEY must be"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY", "DISCORD_GATEWAY", "DISCORD_GUILD_ID"} {
				t.Setenv(k, tc.env[k])
			}
			code, _, errs := runCmd(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"))
			if code == 0 || !strings.Contains(errs, tc.want) || strings.Contains(errs, "tok-secret") {
				t.Fatalf("exit %d, stderr %q, want %q and no token", code, errs, tc.want)
			}
		})
	}
}

// fakeDiscordCommands speaks the part of Discord's REST API that
// registration uses: application commands per scope ("global" or a guild
// id) and the bot's guilds.
type fakeDiscordCommands struct {
	mu       sync.Mutex
	commands map[string][]map[string]any
	guilds   []string
	requests []string
	n        int
}

var fakeCommandPath = regexp.MustCompile(`^/api/v10/applications/123456(?:/guilds/([^/]+))?/commands(?:/([^/]+))?$`)

func (f *fakeDiscordCommands) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	m := fakeCommandPath.FindStringSubmatch(r.URL.Path)
	switch {
	case r.URL.Path == "/api/v10/users/@me/guilds":
		var out []map[string]string
		for _, g := range f.guilds {
			out = append(out, map[string]string{"id": g})
		}
		json.NewEncoder(w).Encode(out)
	case m == nil:
		io.WriteString(w, `{}`)
	case r.Method == "PUT":
		var cmds []map[string]any
		json.NewDecoder(r.Body).Decode(&cmds)
		for _, c := range cmds {
			f.n++
			c["id"] = fmt.Sprint(f.n)
		}
		f.commands[scopeOf(m[1])] = cmds
		json.NewEncoder(w).Encode(cmds)
	case r.Method == "DELETE":
		var kept []map[string]any
		for _, c := range f.commands[scopeOf(m[1])] {
			if c["id"] != m[2] {
				kept = append(kept, c)
			}
		}
		f.commands[scopeOf(m[1])] = kept
		w.WriteHeader(http.StatusNoContent)
	default:
		json.NewEncoder(w).Encode(append([]map[string]any{}, f.commands[scopeOf(m[1])]...))
	}
}

func scopeOf(guild string) string {
	if guild == "" {
		return "global"
	}
	return guild
}

// listed counts how often a guild's members see /asyncquiz: its guild
// commands and the global ones.
func (f *fakeDiscordCommands) listed(guild string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, scope := range []string{"global", guild} {
		for _, c := range f.commands[scope] {
			if c["name"] == "asyncquiz" {
				n++
			}
		}
	}
	return n
}

// scopes counts the commands in each scope, for failure messages.
func (f *fakeDiscordCommands) scopes() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.commands {
		out[k] = len(v)
	}
	return out
}

func TestDiscordRegister(t *testing.T) {
	fake := &fakeDiscordCommands{commands: map[string][]map[string]any{}, guilds: []string{"777777", "888888"}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("DISCORD_BOT_TOKEN", "tok")
	t.Setenv("DISCORD_APP_ID", "123456")
	t.Setenv("DISCORD_GUILD_ID", "")
	t.Setenv("DISCORD_API_URL", srv.URL+"/api/v10")
	code, out, errs := runCmd(t, "", "discord", "register", "--guild", "777777")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	fake.mu.Lock()
	first := fake.requests[0]
	fake.mu.Unlock()
	if first != "PUT /api/v10/applications/123456/guilds/777777/commands" {
		t.Fatalf("first request %s; want the guild bulk overwrite", first)
	}
	for _, want := range []string{"Registered /asyncquiz in guild 777777.", "https://discord.com/oauth2/authorize?client_id=123456",
		"DISCORD_GUILD_ID=777777", "without it, serve registers /asyncquiz globally and removes this guild's copy"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if n := fake.listed("777777"); n != 1 {
		t.Fatalf("guild 777777 lists /asyncquiz %d times after register --guild", n)
	}

	// Then serve without DISCORD_GUILD_ID: global, and the guild copy goes.
	cfg := loadConfig(func(string) (string, bool) { return "", false })
	cfg.Addr, cfg.DB = "127.0.0.1:0", filepath.Join(t.TempDir(), "q.db")
	cfg.DiscordBot, cfg.DiscordApp, cfg.DiscordKey, cfg.DiscordAPI = "tok", "123456", strings.Repeat("ab", 32), srv.URL+"/api/v10"
	m := &Main{Config: cfg}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	m.Close()
	for _, g := range fake.guilds {
		if n := fake.listed(g); n != 1 {
			t.Fatalf("after serve, guild %s lists /asyncquiz %d times (commands per scope %v)", g, n, fake.scopes())
		}
	}
	if fake.scopes()["global"] != 1 || fake.scopes()["777777"] != 0 {
		t.Fatalf("commands per scope %v; want only the global one", fake.scopes())
	}

	// And back: register --guild removes the global copy.
	if code, out, errs = runCmd(t, "", "discord", "register", "--guild", "888888"); code != 0 || !strings.Contains(out, "Removed the copies registered elsewhere: global.") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	if fake.scopes()["global"] != 0 || fake.listed("888888") != 1 || fake.listed("777777") != 0 {
		t.Fatalf("commands per scope %v; want only guild 888888's", fake.scopes())
	}
	// --global overrides DISCORD_GUILD_ID, and excludes --guild.
	t.Setenv("DISCORD_GUILD_ID", "888888")
	if code, out, _ = runCmd(t, "", "discord", "register", "--global"); code != 0 || !strings.Contains(out, "Registered /asyncquiz globally") ||
		!strings.Contains(out, "Removed the copies registered elsewhere: 888888.") {
		t.Fatalf("--global: exit %d, out %q", code, out)
	}
	if code, _, errs = runCmd(t, "", "discord", "register", "--global", "--guild", "777777"); code != 2 || !strings.Contains(errs, "exclude each other") {
		t.Fatalf("--global --guild: exit %d, err %q", code, errs)
	}
}
