package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

// Registration is what RegisterCommands did.
type Registration struct {
	Guild   string   // where the commands are now: a guild id, or "" for global
	Removed []string // where copies of them were deleted: "global" or guild ids
	// Cleanup is what kept a copy elsewhere from being looked for or
	// deleted; the registration itself succeeded.
	Cleanup error
}

// RegisterCommands bulk-overwrites the commands in the configured scope (a
// guild: instant, for development; or global), then deletes copies of
// them from every other scope the bot can see (global, and each guild it
// is in), so Discord lists /asyncquiz once: a guild command and a global
// one of the same name are both shown. Copies come from `discord register
// --guild` or an earlier DISCORD_GUILD_ID. Only commands of our names are
// deleted. An error means the registration failed; a failed clean-up is
// in Registration.Cleanup.
func (a *Adapter) RegisterCommands(ctx context.Context) (Registration, error) {
	reg := Registration{Guild: a.guild}
	err := withRetry(ctx, func() error {
		_, err := a.s.ApplicationCommandBulkOverwrite(a.appID, a.guild, Commands(), discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return reg, fmt.Errorf("register commands: %w", err)
	}
	var others []string
	if a.guild != "" {
		others = append(others, "")
	}
	guilds, err := a.guilds(ctx)
	if err != nil {
		reg.Cleanup = fmt.Errorf("list the bot's guilds to remove other copies of /asyncquiz: %w", err)
	}
	for _, g := range guilds {
		if g != a.guild {
			others = append(others, g)
		}
	}
	var errs []error
	for _, scope := range others {
		n, err := a.removeCommands(ctx, scope)
		name := scope
		if scope == "" {
			name = "global"
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remove /asyncquiz from %s: %w", name, err))
			continue
		}
		if n > 0 {
			reg.Removed = append(reg.Removed, name)
			a.log.Info("Removed a copy of the commands registered elsewhere", "scope", name, "commands", n)
		}
	}
	if len(errs) > 0 {
		reg.Cleanup = errors.Join(append([]error{reg.Cleanup}, errs...)...)
	}
	return reg, nil
}

// guilds lists the ids of the guilds the bot is in, page by page.
func (a *Adapter) guilds(ctx context.Context) ([]string, error) {
	const page = 200 // Discord's maximum
	var ids []string
	after := ""
	for {
		var gs []*discordgo.UserGuild
		err := withRetry(ctx, func() error {
			var err error
			gs, err = a.s.UserGuilds(page, "", after, false, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			return ids, err
		}
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		if len(gs) < page {
			return ids, nil
		}
		after = gs[len(gs)-1].ID
	}
}

// removeCommands deletes our commands from scope (a guild id, or "" for
// global) and returns how many it deleted. A guild the application may not
// manage commands in (403, 404) has none of ours.
func (a *Adapter) removeCommands(ctx context.Context, scope string) (int, error) {
	ours := map[string]bool{}
	for _, c := range Commands() {
		ours[c.Name] = true
	}
	var cmds []*discordgo.ApplicationCommand
	err := withRetry(ctx, func() error {
		var err error
		cmds, err = a.s.ApplicationCommands(a.appID, scope, discordgo.WithContext(ctx))
		return err
	})
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && (re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cmds {
		if !ours[c.Name] {
			continue
		}
		err := withRetry(ctx, func() error { return a.s.ApplicationCommandDelete(a.appID, scope, c.ID, discordgo.WithContext(ctx)) })
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound {
			continue // gone already
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// InviteURL is the OAuth2 URL that adds the bot with its scopes and permissions.
func InviteURL(appID string) string {
	q := url.Values{"client_id": {appID}, "scope": {"bot applications.commands"}, "permissions": {fmt.Sprint(Permissions)}}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}
