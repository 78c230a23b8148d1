package slack

import (
	"fmt"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
)

// UsageHint is the slash command's hint in Slack's picker, one example per
// subcommand, from the bot's grammar.
func UsageHint() string {
	var parts []string
	for _, s := range bot.Grammar() {
		ex, _, _ := strings.Cut(s.Example, ";")
		parts = append(parts, strings.TrimPrefix(strings.TrimSpace(ex), "/asyncquiz "))
	}
	return strings.Join(parts, " | ")
}

// Scopes are the bot token scopes the adapter uses: the slash command,
// posting and updating rounds (also in public channels the bot has not
// joined), users.info to recognise workspace admins for `daily`, and the
// history of each kind of conversation a round can be in (public and
// private channels, DMs, group DMs): when Slack's answer to a post was
// lost, the retry reads the channel's newest messages for the round's
// metadata key (conversations.history) instead of posting it twice.
// im:write opens the app's DM with a person (conversations.open) for redo
// reminders.
var Scopes = []string{
	"commands", "chat:write", "chat:write.public", "users:read",
	"channels:history", "groups:history", "im:history", "mpim:history", "im:write",
}

// Manifest returns a Slack app manifest (YAML) for an app served at baseURL,
// or for Socket Mode when socketMode is set (no request URLs needed).
func Manifest(baseURL string, socketMode bool) string {
	base := strings.TrimRight(baseURL, "/")
	var sb strings.Builder
	fmt.Fprintf(&sb, `display_information:
  name: asyncquiz
  description: A daily Python asyncio quiz, every answer proven by CPython.
  background_color: "#2b4a6f"
features:
  bot_user:
    display_name: asyncquiz
    always_online: true
  app_home:
    home_tab_enabled: false
    messages_tab_enabled: true
    messages_tab_read_only_enabled: true
  slash_commands:
    - command: /asyncquiz
      description: Start a round, drill, redo, see the leaderboard
      usage_hint: %q
      should_escape: true
`, UsageHint())
	if !socketMode {
		fmt.Fprintf(&sb, "      url: %s/slack/commands\n", base)
	}
	fmt.Fprintf(&sb, "oauth_config:\n  scopes:\n    bot:\n")
	for _, s := range Scopes {
		fmt.Fprintf(&sb, "      - %s\n", s)
	}
	fmt.Fprintf(&sb, "settings:\n  interactivity:\n    is_enabled: true\n")
	if !socketMode {
		fmt.Fprintf(&sb, "    request_url: %s/slack/interactions\n", base)
	}
	fmt.Fprintf(&sb, "  org_deploy_enabled: false\n  socket_mode_enabled: %v\n  token_rotation_enabled: false\n", socketMode)
	return sb.String()
}
