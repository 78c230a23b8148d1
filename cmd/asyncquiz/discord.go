package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/discord"
)

var snowflake = regexp.MustCompile(`^[0-9]{5,25}$`)

// discordConfigured reports whether any Discord setting is present.
func (c *config) discordConfigured() bool {
	return c.DiscordBot != "" || c.DiscordApp != "" || c.DiscordKey != ""
}

// discordConfig validates the Discord settings, naming the variable at fault.
func (c *config) discordConfig(log *slog.Logger) (discord.Config, error) {
	switch {
	case c.DiscordBot == "":
		return discord.Config{}, errors.New("DISCORD_BOT_TOKEN is required for Discord")
	case !snowflake.MatchString(c.DiscordApp):
		return discord.Config{}, errors.New("DISCORD_APP_ID must be the application's numeric id")
	case c.DiscordGuild != "" && !snowflake.MatchString(c.DiscordGuild):
		return discord.Config{}, errors.New("DISCORD_GUILD_ID must be a numeric guild id")
	}
	cfg := discord.Config{BotToken: string(c.DiscordBot), AppID: c.DiscordApp, GuildID: c.DiscordGuild, APIURL: c.DiscordAPI, Log: log}
	if !c.DiscordGW || c.DiscordKey != "" {
		key, err := hex.DecodeString(c.DiscordKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return discord.Config{}, errors.New("DISCORD_PUBLIC_KEY must be the application's public key: 64 hex characters")
		}
		cfg.PublicKey = key
	}
	if c.DiscordAPI != "" {
		if u, err := url.Parse(c.DiscordAPI); err != nil || u.Scheme == "" || u.Host == "" {
			return discord.Config{}, fmt.Errorf("DISCORD_API_URL %q is not an absolute URL", c.DiscordAPI)
		}
	}
	return cfg, nil
}

// discordStarter validates the Discord settings and returns the Discord starter.
func (c *config) discordStarter() (platformStarter, error) {
	if _, err := c.discordConfig(nil); err != nil {
		return nil, err
	}
	gateway := c.DiscordGW
	return func(ctx context.Context, a *app, mux *http.ServeMux) (func(context.Context) error, error) {
		cfg, _ := c.discordConfig(a.log)
		ad, err := discord.New(cfg, a.bot)
		if err != nil {
			return nil, err
		}
		a.onClose(ad.Wait)
		if err := ad.RegisterCommands(ctx); err != nil {
			return nil, err
		}
		if gateway {
			a.log.Info("Discord: gateway")
			return ad.RunGateway, nil
		}
		ad.Routes(mux)
		a.log.Info("Discord: HTTP endpoint /discord/interactions")
		return nil, nil
	}, nil
}

// runDiscord is `asyncquiz discord register`.
func runDiscord(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "register" {
		fmt.Fprintln(stderr, "Usage: asyncquiz discord register   (uses DISCORD_BOT_TOKEN, DISCORD_APP_ID, DISCORD_GUILD_ID, DISCORD_API_URL)")
		return errUsage
	}
	cfg := loadConfig(os.LookupEnv)
	fs := flag.NewFlagSet("discord register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DiscordGuild, "guild", cfg.DiscordGuild, "register in this guild only (DISCORD_GUILD_ID); default global")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	cfg.DiscordGW = true // registering needs no public key
	dc, err := cfg.discordConfig(nil)
	if err != nil {
		return err
	}
	ad, err := discord.New(dc, bot.New(nil, nil))
	if err != nil {
		return err
	}
	if err := ad.RegisterCommands(ctx); err != nil {
		return err
	}
	where := "globally (new commands can take a while to show up)"
	if cfg.DiscordGuild != "" {
		where = "in guild " + cfg.DiscordGuild
	}
	fmt.Fprintf(stdout, "Registered /asyncquiz %s.\nInvite the bot with:\n%s\n", where, discord.InviteURL(cfg.DiscordApp))
	return nil
}
