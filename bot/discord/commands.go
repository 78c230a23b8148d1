package discord

import (
	"context"
	"fmt"
	"net/url"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// Permissions the bot needs in a channel: view it, send messages with
// embeds, and read history (to edit its own messages).
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory

// Commands is the /asyncquiz command with its subcommands and options,
// derived from the bot's grammar. `daily` cannot be restricted on its own
// (permissions apply to a whole command), so the bot checks Manage
// Channels itself.
func Commands() []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	cmd := &discordgo.ApplicationCommand{Name: "asyncquiz", Description: "A daily Python asyncio quiz", Contexts: &guildOnly}
	for _, s := range bot.Grammar() {
		sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: s.Name, Description: truncate(s.Help, 100)}
		for _, o := range s.Options {
			sub.Options = append(sub.Options, option(o))
		}
		cmd.Options = append(cmd.Options, sub)
	}
	return []*discordgo.ApplicationCommand{cmd}
}

// option registers one grammar option with the Discord type of its kind.
func option(o bot.Option) *discordgo.ApplicationCommandOption {
	opt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: o.Name, Description: truncate(o.Help, 100)}
	switch o.Kind {
	case bot.KindInt:
		lo, hi := float64(o.Min), float64(o.Max)
		opt.Type, opt.MinValue, opt.MaxValue = discordgo.ApplicationCommandOptionInteger, &lo, hi
	case bot.KindFlag:
		opt.Type = discordgo.ApplicationCommandOptionBoolean
	case bot.KindChoice:
		if cs := o.Choices(); len(cs) <= 25 {
			for _, c := range cs {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
			}
		}
	}
	return opt
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
