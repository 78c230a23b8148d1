package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/discord"
)

func discordCommands() []command {
	return []command{{name: "register", summary: "register the /asyncquiz command and print the invite URL", run: runDiscordRegister}}
}

// runDiscordRegister is `asyncquiz discord register`.
func runDiscordRegister(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("discord register", "[--guild ID | --global]",
		"Register the /asyncquiz command and print the invite URL. Uses DISCORD_BOT_TOKEN, DISCORD_APP_ID,\n"+
			"DISCORD_GUILD_ID and DISCORD_API_URL.\n\n"+
			"The command lives in one place: registering it in a guild deletes the global copy and those in\n"+
			"other guilds, and registering it globally deletes the guild copies, so Discord lists it once.\n"+
			"serve registers it again at every start, where DISCORD_GUILD_ID says: unset, globally.")
	fs.StringVar(&cfg.DiscordGuild, "guild", cfg.DiscordGuild, cfg.flagUsage(fs, "guild", "DISCORD_GUILD_ID"))
	global := fs.Bool("global", false, "register globally, even if DISCORD_GUILD_ID is set")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if *global {
		if cfg.name("DISCORD_GUILD_ID") == "--guild" {
			return usageError(fs, "--global and --guild exclude each other")
		}
		cfg.DiscordGuild = ""
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
	reg, err := ad.RegisterCommands(ctx)
	if err != nil {
		return err
	}
	where := "globally (a new global command can take a while to show up)"
	if reg.Guild != "" {
		where = "in guild " + reg.Guild
	}
	fmt.Fprintf(stdout, "Registered /asyncquiz %s.\n", where)
	if len(reg.Removed) > 0 {
		fmt.Fprintf(stdout, "Removed the copies registered elsewhere: %s.\n", strings.Join(reg.Removed, ", "))
	}
	if reg.Guild != "" {
		fmt.Fprintf(stdout, "Run serve with DISCORD_GUILD_ID=%s to keep it there: without it, serve registers /asyncquiz globally and removes this guild's copy.\n", reg.Guild)
	} else {
		fmt.Fprintln(stdout, "serve registers it globally as well, unless DISCORD_GUILD_ID is set: then only in that guild.")
	}
	fmt.Fprintf(stdout, "Invite the bot with:\n%s\n", discord.InviteURL(cfg.DiscordApp))
	if reg.Cleanup != nil {
		return fmt.Errorf("registered, but Discord may still list a second copy: %w", reg.Cleanup)
	}
	return nil
}
