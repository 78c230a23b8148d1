package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

var _ bot.Platform = (*Adapter)(nil)

func wantContains(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Fatalf("%s lacks %q:\n%s", what, s, got)
		}
	}
}

// A whole round over the HTTP endpoint: start, clicks (one double), the
// reveal edits the channel message, then the leaderboard.
func TestAdapter_RoundEndToEnd(t *testing.T) {
	h := newHarness(t)
	wantContains(t, "start reply", h.command("U1", 0, "start", map[string]any{"duration": "5s", "category": "core"}).Raw, "Round 1 started")
	posts := h.fake.Calls("POST", "/channels/C1/messages")
	if len(posts) != 1 {
		t.Fatalf("channel messages=%d, want 1", len(posts))
	}
	post := posts[0].Body
	wantContains(t, "round message", posts[0].Raw, `"allowed_mentions":{"parse":[]`, `\u003ct:`)
	ids := buttonIDs(t, post)
	if len(ids) != 4 {
		t.Fatalf("buttons=%v, want A-D", ids)
	}
	for user, letter := range map[string]string{"U1": "B", "U2": "B", "U3": "A", "U4": "C"} {
		resp := h.click(user, ids[letter], false)
		if resp["type"] != float64(4) || resp["data"].(map[string]any)["flags"] != float64(64) {
			t.Fatalf("click response %v, want an ephemeral message", resp)
		}
		wantContains(t, user+" click", raw(resp), "Locked in "+letter)
	}
	wantContains(t, "double click", raw(h.click("U1", ids["D"], false)), "You already answered B")

	h.clock.Add(5 * time.Second)
	wantContains(t, "late click", raw(h.click("U5", ids["B"], false)), "This round is closed")
	if n, err := h.bot.Rounds().RevealDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("RevealDue=%d, %v", n, err)
	}
	edit := h.fake.wait(t, "PATCH", "/channels/C1/messages/m")
	// The answer buttons are gone; only "Report a problem" is left.
	if got := buttonIDs(t, edit.Body); len(got) != 1 || !strings.HasPrefix(got["Report a problem"], "p:q:") {
		t.Fatalf("reveal components=%v, want only the report button", edit.Body["components"])
	}
	wantContains(t, "reveal", edit.Raw, "Answer: B", "because one", "2 of 4 got it right", "name-U1")

	wantContains(t, "leaderboard", h.command("U9", 0, "leaderboard", map[string]any{"period": "all"}).Raw, `1\\. name-U1`, `2\\. name-U2`)
}

func TestAdapter_DrillAndRedoUpdateTheirCard(t *testing.T) {
	h := newHarness(t)
	card := h.command("U1", 0, "drill", map[string]any{"count": 2})
	ids := buttonIDs(t, card.Body)
	resp := h.click("U1", ids["A"], true)
	if resp["type"] != float64(7) {
		t.Fatalf("drill step response type %v, want 7 (update message)", resp["type"])
	}
	wantContains(t, "drill step", raw(resp), "A is wrong", "Drill 2/2")
	next := buttonIDs(t, resp["data"].(map[string]any))
	resp = h.click("U1", next["B"], true)
	wantContains(t, "drill end", raw(resp), "You got 1 of 2 right")

	wantContains(t, "redo not due", h.command("U1", 0, "redo", nil).Raw, "Nothing to redo right now")
	h.clock.Add(72 * time.Hour)
	redo := h.command("U1", 0, "redo", nil)
	resp = h.click("U1", buttonIDs(t, redo.Body)["B"], true)
	if resp["type"] != float64(7) {
		t.Fatalf("redo response type %v, want 7", resp["type"])
	}
	wantContains(t, "redo", raw(resp), "comes back in 7 days")
}

func TestAdapter_DailyNeedsManageChannels(t *testing.T) {
	h := newHarness(t)
	opts := map[string]any{"time": "09:30", "timezone": "Europe/Berlin", "days": "weekdays"}
	wantContains(t, "member", h.command("U1", 0, "daily", opts).Raw, "Only people with the Manage Channels or Administrator permission")
	wantContains(t, "manager", h.command("U2", discordgo.PermissionManageChannels, "daily", opts).Raw, "Daily quiz set")
	wantContains(t, "off", h.command("U2", discordgo.PermissionManageChannels, "daily", map[string]any{"off": true}).Raw, "is off")

	// A manager names 111 with a user option; 111 may then set the schedule.
	add := map[string]any{"action": "add", "user": userOption{"111", "ada"}}
	wantContains(t, "member adds", h.command("111", 0, "admins", add).Raw, "Only people with the Manage Channels")
	wantContains(t, "add", h.command("U2", discordgo.PermissionManageChannels, "admins", add).Raw, "ada may now change")
	wantContains(t, "list", h.command("U3", 0, "admins", nil).Raw, "ada (111)")
	wantContains(t, "named", h.command("111", 0, "daily", opts).Raw, "Daily quiz set")
	bad := map[string]any{"action": "add", "user": "<@222>"}
	wantContains(t, "string for a user", h.command("U2", discordgo.PermissionManageChannels, "admins", bad).Raw, "must be a member of this server")
}

func TestAdapter_StaleChoiceValidated(t *testing.T) {
	h := newHarness(t)
	// An old registration or an API client may send a value outside the choices.
	wantContains(t, "bad period", h.command("U1", 0, "leaderboard", map[string]any{"period": "decade"}).Raw, "Period", "week, month, quarter or all")
	wantContains(t, "bad duration", h.command("U1", 0, "start", map[string]any{"duration": "1s"}).Raw, "between 5s and 7d")
	if n := len(h.fake.Calls("POST", "/channels/")); n != 0 {
		t.Fatalf("bad input posted %d messages", n)
	}
}

func TestAdapter_ForeignGuildClick(t *testing.T) {
	h := newHarness(t)
	h.command("U1", 0, "start", map[string]any{"duration": "1m"})
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/C1/messages")[0].Body)
	w := h.post(h.clickJSON("G-OTHER", "U7", ids["B"], h.fake.lastMessage("C1"), false), nil)
	wantContains(t, "foreign click", w.Body.String(), "not known here")
}

func TestAdapter_RegisterCommands(t *testing.T) {
	h := newHarness(t)
	if _, err := h.a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := h.fake.Calls("PUT", "/applications/123456/guilds/999999/commands")
	if len(c) != 1 {
		t.Fatalf("registrations=%d, want 1 guild bulk overwrite", len(c))
	}
	wantContains(t, "commands", c[0].Raw, `"name":"asyncquiz"`, `"name":"start"`, `"name":"duration"`, `"name":"daily"`,
		`"name":"timezone"`, `"name":"leaderboard"`, `"name":"period"`, `"name":"scope"`, `"name":"drill"`, `"name":"count"`, `"name":"redo"`, `"name":"stats"`)
	if got := InviteURL("123456"); !strings.Contains(got, "client_id=123456") || !strings.Contains(got, "applications.commands") {
		t.Fatalf("InviteURL=%s", got)
	}
	// Rounds may be posted in threads: the invite asks for Send Messages in
	// Threads, besides what a channel needs.
	want := discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionSendMessagesInThreads |
		discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory
	if got := InviteURL("123456"); !strings.Contains(got, fmt.Sprintf("permissions=%d&", want)) {
		t.Fatalf("InviteURL=%s, want permissions %d", got, want)
	}
}

// registrar is an adapter on fake that registers in guild ("" global).
func registrar(t *testing.T, fake *fakeDiscord, guild string) *Adapter {
	t.Helper()
	a, err := New(Config{BotToken: "test-token", AppID: "123456", GuildID: guild, APIURL: fake.srv.URL + "/api/v10"}, bot.New(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// /asyncquiz lives in one scope: registering it in a guild deletes the
// global copy and other guilds' copies, registering it globally deletes the
// guild copies, so Discord never lists it twice (a guild command and a
// global one of the same name are both shown).
func TestAdapter_RegisterCommands_OneScope(t *testing.T) {
	ctx := context.Background()
	const g1, g2, g3 = "700000000000000001", "700000000000000002", "700000000000000003"
	listed := func(fake *fakeDiscord, guild string) int {
		return len(fake.commandNames("global")) + len(fake.commandNames(guild))
	}
	t.Run("GuildThenGlobal", func(t *testing.T) {
		fake := newFakeDiscord(t)
		fake.guilds = []string{g1, g2}
		if _, err := registrar(t, fake, g1).RegisterCommands(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fake.commandNames(g1); len(got) != 1 || got[0] != "asyncquiz" {
			t.Fatalf("guild %s has %v after register --guild", g1, got)
		}
		reg, err := registrar(t, fake, "").RegisterCommands(ctx) // serve without DISCORD_GUILD_ID
		if err != nil || reg.Cleanup != nil {
			t.Fatalf("global registration: %v, cleanup %v", err, reg.Cleanup)
		}
		for _, g := range []string{g1, g2} {
			if n := listed(fake, g); n != 1 {
				t.Fatalf("guild %s lists /asyncquiz %d times (global %v, guild %v)", g, n, fake.commandNames("global"), fake.commandNames(g))
			}
		}
		if len(fake.commandNames(g1)) != 0 || len(reg.Removed) != 1 || reg.Removed[0] != g1 {
			t.Fatalf("the guild copy stayed: guild %v, removed %v", fake.commandNames(g1), reg.Removed)
		}
	})
	t.Run("GlobalThenGuild", func(t *testing.T) {
		fake := newFakeDiscord(t)
		fake.guilds = []string{g1, g2}
		registrar(t, fake, "").RegisterCommands(ctx)
		registrar(t, fake, g2).RegisterCommands(ctx) // an old dev guild
		reg, err := registrar(t, fake, g1).RegisterCommands(ctx)
		if err != nil || reg.Cleanup != nil {
			t.Fatalf("guild registration: %v, cleanup %v", err, reg.Cleanup)
		}
		if len(fake.commandNames("global")) != 0 || len(fake.commandNames(g2)) != 0 || len(fake.commandNames(g1)) != 1 {
			t.Fatalf("global %v, %s %v, %s %v; want only %s", fake.commandNames("global"), g1, fake.commandNames(g1), g2, fake.commandNames(g2), g1)
		}
	})
	t.Run("NothingElsewhere", func(t *testing.T) {
		fake := newFakeDiscord(t)
		fake.guilds = []string{g1}
		reg, err := registrar(t, fake, "").RegisterCommands(ctx)
		if err != nil || reg.Cleanup != nil || len(reg.Removed) != 0 {
			t.Fatalf("%+v, %v", reg, err)
		}
		if n := len(fake.Calls("DELETE", "/applications/")); n != 0 {
			t.Fatalf("%d deletes with nothing to delete", n)
		}
	})
	t.Run("OtherCommandsKept", func(t *testing.T) {
		fake := newFakeDiscord(t)
		fake.guilds = []string{g1}
		fake.commands[g1] = []map[string]any{{"id": "x1", "name": "other-tool"}, {"id": "x2", "name": "asyncquiz"}}
		registrar(t, fake, "").RegisterCommands(ctx)
		if got := fake.commandNames(g1); len(got) != 1 || got[0] != "other-tool" {
			t.Fatalf("guild commands %v; want only other-tool kept", got)
		}
	})
	t.Run("ForbiddenGuildAndPages", func(t *testing.T) {
		fake := newFakeDiscord(t)
		for i := 0; i < 201; i++ { // two pages of the guild list
			fake.guilds = append(fake.guilds, fmt.Sprintf("7%017d", i+10))
		}
		last := fake.guilds[200]
		fake.guilds = append(fake.guilds, g3)
		fake.forbidden[g3] = true
		fake.commands[last] = []map[string]any{{"id": "y", "name": "asyncquiz"}}
		reg, err := registrar(t, fake, "").RegisterCommands(ctx)
		if err != nil || reg.Cleanup != nil {
			t.Fatalf("%v, cleanup %v; a guild without command access has none of ours", err, reg.Cleanup)
		}
		if len(fake.commandNames(last)) != 0 || len(fake.Calls("GET", "/users/@me/guilds")) != 2 {
			t.Fatalf("second page not cleaned: %v, %d guild list calls", fake.commandNames(last), len(fake.Calls("GET", "/users/@me/guilds")))
		}
	})
	t.Run("CleanupFailureIsReported", func(t *testing.T) {
		fake := newFakeDiscord(t)
		fake.guilds = []string{g1}
		fake.inject(fault{Method: "GET", Prefix: "/applications/123456/guilds/" + g1 + "/commands", Status: 500, Body: `{"message":"oops","code":0}`, Times: 10})
		reg, err := registrar(t, fake, "").RegisterCommands(ctx)
		if err != nil || reg.Cleanup == nil || !strings.Contains(reg.Cleanup.Error(), g1) {
			t.Fatalf("%v, cleanup %v; want the registration done and the failed guild named", err, reg.Cleanup)
		}
	})
}

func TestAdapter_RateLimitedPostIsRetried(t *testing.T) {
	h := newHarness(t)
	h.fake.rateLimit = 1
	ref, err := h.a.Post(context.Background(), "C1", bot.Message{Text: "hi"})
	if err != nil || ref == "" {
		t.Fatalf("Post after a 429: %q, %v", ref, err)
	}
}

// Requests not signed by the application's key, stale, malformed or of an
// unknown type are refused, and nothing is written.
func TestAdapter_RefusesBadRequests(t *testing.T) {
	tests := []struct {
		name       string
		body       func(h *harness) string
		mutate     func(h *harness, body string) func(*http.Request)
		wantStatus int
	}{
		{"bad signature", func(h *harness) string { return h.commandJSON("U1", 0, "start", nil) },
			func(h *harness, b string) func(*http.Request) {
				return func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", strings.Repeat("00", 64)) }
			}, 401},
		{"other key", func(h *harness) string { return h.commandJSON("U1", 0, "start", nil) },
			func(h *harness, b string) func(*http.Request) {
				_, other, _ := ed25519GenerateKey()
				return func(r *http.Request) { sign(r, other, b, time.Now()) }
			}, 401},
		{"missing headers", func(h *harness) string { return h.commandJSON("U1", 0, "start", nil) },
			func(h *harness, b string) func(*http.Request) {
				return func(r *http.Request) { r.Header.Del("X-Signature-Ed25519"); r.Header.Del("X-Signature-Timestamp") }
			}, 401},
		{"stale timestamp", func(h *harness) string { return h.commandJSON("U1", 0, "start", nil) },
			func(h *harness, b string) func(*http.Request) {
				return func(r *http.Request) { sign(r, h.priv, b, time.Now().Add(-6*time.Minute)) }
			}, 401},
		{"future timestamp", func(h *harness) string { return h.commandJSON("U1", 0, "start", nil) },
			func(h *harness, b string) func(*http.Request) {
				return func(r *http.Request) { sign(r, h.priv, b, time.Now().Add(6*time.Minute)) }
			}, 401},
		{"malformed body", func(h *harness) string { return `{"type": "not a number"` }, nil, 400},
		{"unknown type", func(h *harness) string { return `{"id":"x","type":99,"token":"t"}` }, nil, 400},
		{"oversize body", func(h *harness) string { return `{"pad":"` + strings.Repeat("a", 70<<10) + `"}` }, nil, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body := tc.body(h)
			var mutate func(*http.Request)
			if tc.mutate != nil {
				mutate = tc.mutate(h, body)
			}
			w := h.post(body, mutate)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			h.a.Wait(t.Context())
			var n int64
			h.db.Table("rounds").Count(&n)
			if n != 0 || len(h.fake.Calls("POST", "/")) != 0 || len(h.fake.Calls("PATCH", "/")) != 0 {
				t.Fatalf("refused request had effects: %d rounds, %d calls", n, len(h.fake.calls))
			}
		})
	}
}

func TestAdapter_Ping(t *testing.T) {
	h := newHarness(t)
	w := h.post(`{"id":"p","application_id":"123456","type":1,"token":"t","version":1}`, nil)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"type":1}` || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("PING: %d %q %q", w.Code, w.Body, w.Header().Get("Content-Type"))
	}
}

// The registered command is the bot's grammar: every subcommand and option,
// with the Discord type of its kind.
func TestCommands_FollowTheGrammar(t *testing.T) {
	cmd := Commands()[0]
	grammar := bot.Grammar()
	if len(cmd.Options) != len(grammar) {
		t.Fatalf("%d subcommands registered, grammar has %d", len(cmd.Options), len(grammar))
	}
	for i, s := range grammar {
		sub := cmd.Options[i]
		if sub.Name != s.Name || len(sub.Options) != len(s.Options) {
			t.Fatalf("subcommand %d: %s with %d options, grammar %s with %d", i, sub.Name, len(sub.Options), s.Name, len(s.Options))
		}
		for j, o := range s.Options {
			got := sub.Options[j]
			wantType := map[bot.Kind]discordgo.ApplicationCommandOptionType{bot.KindInt: discordgo.ApplicationCommandOptionInteger,
				bot.KindFlag: discordgo.ApplicationCommandOptionBoolean, bot.KindUser: discordgo.ApplicationCommandOptionUser}[o.Kind]
			if wantType == 0 {
				wantType = discordgo.ApplicationCommandOptionString
			}
			if got.Name != o.Name || got.Type != wantType {
				t.Errorf("%s %s: registered %s type %d, want type %d", s.Name, o.Name, got.Name, got.Type, wantType)
			}
		}
	}
}
