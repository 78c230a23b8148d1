package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot/discord"
	"github.com/asyncquiz/asyncquiz/bot/slack"
)

// platform is one chat platform's row: a new platform is one row here and
// one adapter package.
type platform struct {
	name string
	// configured reports whether any of its settings is present.
	configured func(c Config) bool
	// validate reports every problem with its settings, each naming its
	// variable.
	validate func(c Config) error
	// start registers the adapter with the bot and its routes on mux, and
	// may return a runner (Socket Mode, the gateway) that stops with ctx.
	start func(ctx context.Context, m *Main, mux *http.ServeMux) (run func(context.Context) error, err error)
}

var platforms = []platform{
	{name: slack.Name, configured: slackConfigured, validate: validateSlack, start: startSlack},
	{name: discord.Name, configured: discordConfigured, validate: validateDiscord, start: startDiscord},
}

// noPlatform is the refusal of serve with nothing to serve.
const noPlatform = "no platform configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, " +
	"or DISCORD_BOT_TOKEN, DISCORD_APP_ID and DISCORD_PUBLIC_KEY for Discord; to try the quiz without either, run `asyncquiz play`"

func slackConfigured(c Config) bool {
	return c.SlackBot != "" || c.SlackSigning != "" || c.SlackApp != ""
}

func validateSlack(c Config) error {
	var errs []error
	switch {
	case c.SlackBot == "":
		errs = append(errs, fmt.Errorf("%s is required for Slack (a bot token, xoxb-...)", c.name("SLACK_BOT_TOKEN")))
	case !strings.HasPrefix(string(c.SlackBot), "xoxb-"):
		errs = append(errs, fmt.Errorf("%s must be a bot token starting with xoxb-", c.name("SLACK_BOT_TOKEN")))
	}
	if c.SlackApp != "" && !strings.HasPrefix(string(c.SlackApp), "xapp-") {
		errs = append(errs, fmt.Errorf("%s must be an app-level token starting with xapp- (Socket Mode)", c.name("SLACK_APP_TOKEN")))
	}
	if c.SlackApp == "" && c.SlackSigning == "" {
		errs = append(errs, fmt.Errorf("%s is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)", c.name("SLACK_SIGNING_SECRET")))
	}
	if err := absoluteURL(c.name("SLACK_API_URL"), c.SlackAPIURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func startSlack(ctx context.Context, m *Main, mux *http.ServeMux) (func(context.Context) error, error) {
	c := m.Config
	apiURL := c.SlackAPIURL
	if apiURL != "" && !strings.HasSuffix(apiURL, "/") {
		apiURL += "/" // slack-go appends the method name
	}
	ad := slack.New(slack.Config{
		BotToken: string(c.SlackBot), SigningSecret: string(c.SlackSigning), AppToken: string(c.SlackApp),
		APIURL: apiURL, Admins: c.Admins, Log: m.Log,
	}, m.Bot)
	m.onClose(ad.Wait)
	if c.SlackApp != "" {
		// RunSocketMode asks auth.test itself and stops on a refused token.
		m.Log.Info("Slack: Socket Mode")
		return ad.RunSocketMode, nil
	}
	// The installation (auth.test) is every request's tenant; a bot token
	// Slack refuses stops serve here, naming SLACK_BOT_TOKEN.
	if err := ad.Start(ctx); err != nil {
		return nil, err
	}
	ad.Routes(mux)
	m.Log.Info("Slack: HTTP endpoints /slack/commands and /slack/interactions")
	return nil, nil
}

var snowflake = regexp.MustCompile(`^[0-9]{5,25}$`)

func discordConfigured(c Config) bool {
	return c.DiscordBot != "" || c.DiscordApp != "" || c.DiscordKey != ""
}

func validateDiscord(c Config) error {
	_, err := c.discordConfig(nil)
	return err
}

// discordConfig builds the adapter's settings, reporting every problem.
func (c *Config) discordConfig(log *slog.Logger) (discord.Config, error) {
	var errs []error
	if c.DiscordBot == "" {
		errs = append(errs, fmt.Errorf("%s is required for Discord", c.name("DISCORD_BOT_TOKEN")))
	}
	if !snowflake.MatchString(c.DiscordApp) {
		errs = append(errs, fmt.Errorf("%s must be the application's numeric id", c.name("DISCORD_APP_ID")))
	}
	if c.DiscordGuild != "" && !snowflake.MatchString(c.DiscordGuild) {
		errs = append(errs, fmt.Errorf("%s must be a numeric guild id", c.name("DISCORD_GUILD_ID")))
	}
	cfg := discord.Config{BotToken: string(c.DiscordBot), AppID: c.DiscordApp, GuildID: c.DiscordGuild, APIURL: c.DiscordAPI, Log: log}
	if !c.DiscordGW || c.DiscordKey != "" {
		key, err := hex.DecodeString(c.DiscordKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			errs = append(errs, fmt.Errorf("%s must be the application's public key: 64 hex characters", c.name("DISCORD_PUBLIC_KEY")))
		}
		cfg.PublicKey = key
	}
	if err := absoluteURL(c.name("DISCORD_API_URL"), c.DiscordAPI); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

func startDiscord(ctx context.Context, m *Main, mux *http.ServeMux) (func(context.Context) error, error) {
	cfg, err := m.Config.discordConfig(m.Log)
	if err != nil {
		return nil, err
	}
	ad, err := discord.New(cfg, m.Bot)
	if err != nil {
		return nil, err
	}
	m.onClose(ad.Wait)
	reg, err := ad.RegisterCommands(ctx)
	if err != nil {
		return nil, err
	}
	where := "global"
	if reg.Guild != "" {
		where = "guild " + reg.Guild
	}
	m.Log.Info("Discord: /asyncquiz registered", "scope", where, "removed_from", reg.Removed)
	if reg.Cleanup != nil {
		// Serving works; Discord may list the command twice somewhere.
		m.Log.Warn("Discord: a copy of /asyncquiz registered elsewhere may remain", "error", reg.Cleanup)
	}
	if m.Config.DiscordGW {
		m.Log.Info("Discord: gateway")
		return ad.RunGateway, nil
	}
	ad.Routes(mux)
	m.Log.Info("Discord: HTTP endpoint /discord/interactions")
	return nil, nil
}

func absoluteURL(name, v string) error {
	if v == "" {
		return nil
	}
	if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute URL", name, v)
	}
	return nil
}
