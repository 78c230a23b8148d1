package discord

import (
	"context"
	"fmt"
	"net/url"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// Permissions the bot asks for in the invite: view a channel, send
// messages with embeds, read history (to find a round's message after a
// lost response), and send messages in threads: rounds may be posted in
// threads and forum posts, and the same permission lets the bot unarchive
// a thread that went quiet before its reveal.
const Permissions int64 = postPermissions | discordgo.PermissionSendMessagesInThreads

// postPermissions and threadPermissions are what a round needs where it is
// posted; a command checks them against the app_permissions Discord sends.
const (
	postPermissions int64 = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
		discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory
	threadPermissions int64 = discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads |
		discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory
)

// permissionNames are the permissions as Discord's settings name them.
var permissionNames = []struct {
	bit  int64
	name string
}{
	{discordgo.PermissionViewChannel, "View Channel"},
	{discordgo.PermissionSendMessages, "Send Messages"},
	{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads"},
	{discordgo.PermissionEmbedLinks, "Embed Links"},
	{discordgo.PermissionReadMessageHistory, "Read Message History"},
}

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
	case bot.KindUser:
		opt.Type = discordgo.ApplicationCommandOptionUser
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
