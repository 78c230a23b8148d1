package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/discord"
)

func discordCommands() []command {
	return []command{{name: "register", summary: "register the /asyncquiz command and print the invite URL", run: runDiscordRegister}}
}

// runDiscordRegister is `asyncquiz discord register`.
func runDiscordRegister(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("discord register", "[--guild ID]",
		"Register the /asyncquiz command and print the invite URL.\nUses DISCORD_BOT_TOKEN, DISCORD_APP_ID, DISCORD_GUILD_ID and DISCORD_API_URL.")
	fs.StringVar(&cfg.DiscordGuild, "guild", cfg.DiscordGuild, cfg.flagUsage(fs, "guild", "DISCORD_GUILD_ID"))
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
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
