package discord

import (
	"context"
	"fmt"
	"net/url"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/bwmarrin/discordgo"
)

// Permissions the bot needs in a channel: view it, send messages with
// embeds, and read history (to edit its own messages).
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory

func choices(values ...string) []*discordgo.ApplicationCommandOptionChoice {
	out := make([]*discordgo.ApplicationCommandOptionChoice, len(values))
	for i, v := range values {
		out[i] = &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v}
	}
	return out
}

func str(name, desc string, cs ...string) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Choices: choices(cs...)}
}

// Commands is the /asyncquiz command with its subcommands and options, named
// as in DESIGN.md. `daily` cannot be restricted on its own (permissions apply
// to a whole command), so the bot checks Manage Channels itself.
func Commands() []*discordgo.ApplicationCommand {
	cats := append(append([]string{}, questions.Categories...), "mixed")
	one, fifty := 1.0, 50.0
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
	}
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	return []*discordgo.ApplicationCommand{{
		Name: "asyncquiz", Description: "A daily Python asyncio quiz", Contexts: &guildOnly,
		Options: []*discordgo.ApplicationCommandOption{
			sub("start", "Post a round in this channel now",
				str("duration", "How long until the reveal, 5s to 7d (default 10m), e.g. 30s, 2h"),
				str("category", "Question category", cats...),
				str("difficulty", "Question difficulty", "easy", "medium", "hard")),
			sub("daily", "Schedule a daily round in this channel (Manage Channels)",
				str("time", "HH:MM, 24-hour clock"),
				str("timezone", "IANA time zone, e.g. Europe/Berlin"),
				str("days", "everyday, weekdays, weekends or a list such as mon,wed,fri"),
				str("deadline", "Reveal after, 5s to 23h (default 4h)"),
				&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: "off", Description: "Stop the daily quiz"}),
			sub("leaderboard", "Top 10 and your rank",
				str("period", "Time period (default week)", "week", "month", "all"),
				str("scope", "Whole team or this channel (default team)", "team", "channel")),
			sub("redo", "Your due redo questions, privately"),
			sub("drill", "A private practice run with instant feedback",
				&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "Questions (default 10)", MinValue: &one, MaxValue: fifty},
				str("category", "Question category", cats...)),
			sub("stats", "Your answers, accuracy, streak and redo queue"),
			sub("help", "How to use asyncquiz"),
		},
	}}
}

// RegisterCommands bulk-overwrites the commands: in the configured guild
// (instant, for development) or globally.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	err := withRetry(ctx, func() error {
		_, err := a.s.ApplicationCommandBulkOverwrite(a.appID, a.guild, Commands(), discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	return nil
}

// InviteURL is the OAuth2 URL that adds the bot with its scopes and permissions.
func InviteURL(appID string) string {
	q := url.Values{"client_id": {appID}, "scope": {"bot applications.commands"}, "permissions": {fmt.Sprint(Permissions)}}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// RunGateway receives interactions over the gateway (no public URL needed)
// until ctx is done.
func (a *Adapter) RunGateway(ctx context.Context) error {
	remove := a.s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) { a.HandleGateway(ic) })
	defer remove()
	if err := a.s.Open(); err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	<-ctx.Done()
	return a.s.Close()
}
