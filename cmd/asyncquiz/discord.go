package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/discord"
)

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
