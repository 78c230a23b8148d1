package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// clickBudget is how long a click may take before the answer is deferred;
// Discord allows 3 s for the first response.
const clickBudget = 2 * time.Second

// via is how an interaction arrived, which decides how a redelivery is
// answered: an HTTP request must get a response, a gateway event none.
type via int

const (
	viaHTTP via = iota
	viaGateway
)

// handle returns the first response to send and, optionally, work to run
// after it. A nil response (only over the gateway) means send nothing.
func (a *Adapter) handle(i *interaction, v via) (*discordgo.InteractionResponse, func(context.Context)) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommand:
		return a.handleCommand(i)
	case discordgo.InteractionModalSubmit:
		return a.handleSubmit(i, v), nil
	default: // decode lets through nothing else
		return a.handleClick(i, v), nil
	}
}

func ephemeral(r bot.Reply) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: replyData(r, discordgo.MessageFlagsEphemeral),
	}
}

func ephemeralText(text string) *discordgo.InteractionResponse {
	return ephemeral(bot.Reply{Message: bot.Message{Text: text}})
}

func replyData(r bot.Reply, flags discordgo.MessageFlags) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Embeds: []*discordgo.MessageEmbed{Embed(r.Message)}, Components: Components(r.Message),
		AllowedMentions: noMentions, Flags: flags,
	}
}

// deferredEphemeral shows "thinking" to the person alone until the reply
// replaces it (an edit of @original).
func deferredEphemeral() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}

// event says who acted where, or why the bot cannot act there: asyncquiz
// lives in server channels where it is installed (not in DMs, not in group
// DMs through a user install, not in a server it was not added to).
func (a *Adapter) event(i *interaction) (bot.Event, string) {
	if i.GuildID == "" {
		return bot.Event{}, "Use /asyncquiz in a server channel: rounds, leaderboards and drills belong to a server, not to a DM."
	}
	if owners := i.AuthorizingIntegrationOwners; owners != nil {
		if _, installed := owners[discordgo.ApplicationIntegrationGuildInstall]; !installed {
			return bot.Event{}, "asyncquiz is not installed in this server, so it cannot post or keep scores here. A server manager can add it: " + InviteURL(a.appID)
		}
	}
	ev := bot.Event{Platform: Name, Team: i.GuildID, Channel: i.ChannelID, Delivery: i.ID}
	var u *discordgo.User
	if i.Member != nil {
		u = i.Member.User
		ev.CanManage = bot.Known(i.Member.Permissions&(discordgo.PermissionManageChannels|discordgo.PermissionAdministrator) != 0)
	} else {
		u = i.User
	}
	if u == nil || u.ID == "" || ev.Channel == "" {
		return bot.Event{}, "I cannot tell who did this, or where."
	}
	ev.User, ev.IsBot = u.ID, u.Bot
	ev.UserName = displayName(userName(i.Member, u))
	if i.Message != nil {
		ev.Message = i.Message.ID
	}
	return ev, ""
}

// userName is the name a person shows: their server nickname, their
// display name, or their username.
func userName(m *discordgo.Member, u *discordgo.User) string {
	switch {
	case m != nil && m.Nick != "":
		return m.Nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

// actor says who acted, where, and what the action is, from the custom id
// of the button or form: in a DM with the bot the custom id names the
// server (dm.go), and s is set so the reply's buttons name it too.
func (a *Adapter) actor(i *interaction, customID string) (ev bot.Event, action string, s *scope, problem string) {
	if ev, action, s, ok := a.dmEvent(i, customID); ok {
		return ev, action, s, ""
	}
	ev, problem = a.event(i)
	return ev, customID, nil, problem
}

func (a *Adapter) handleCommand(i *interaction) (*discordgo.InteractionResponse, func(context.Context)) {
	ev, problem := a.event(i)
	if problem != "" {
		return ephemeralText(problem), nil
	}
	sub, opts, problem := commandOptions(i.ApplicationCommandData())
	if problem != "" {
		return ephemeralText(problem), nil
	}
	cmd, err := bot.ParseOptions(sub, opts)
	if err != nil {
		// Validate and answer at once: nothing was done.
		return ephemeralText(bot.ErrorMessage(err)), nil
	}
	if posts(cmd) {
		if why := cannotPost(i); why != "" {
			return ephemeralText(why), nil
		}
	}
	return deferredEphemeral(), func(ctx context.Context) {
		reply := a.bot.Command(ctx, ev, cmd)
		if reply.Duplicate {
			return // the first delivery's reply edits the same @original
		}
		a.editOriginal(ctx, i, reply)
	}
}

// posts reports whether cmd posts a round in the channel (now or daily).
func posts(cmd bot.Command) bool {
	return cmd.Name == "start" || (cmd.Name == "daily" && !cmd.DailyShow && !cmd.DailyOff)
}

// cannotPost says why the bot could not post a round where the command
// came from, from the permissions Discord says the bot has there; "" when
// it can, or when Discord did not say.
func cannotPost(i *interaction) string {
	where, need := "channel", postPermissions
	if i.isThread() {
		where, need = "thread", threadPermissions
		if md := i.Channel.ThreadMetadata; md != nil && md.Locked && i.AppPermissions&discordgo.PermissionManageThreads == 0 {
			return "This thread is locked, so I could not post or reveal a round in it. Start the round in an open thread or in a channel."
		}
	}
	have := i.AppPermissions
	if have == 0 || have&discordgo.PermissionAdministrator != 0 {
		return ""
	}
	var missing []string
	for _, p := range permissionNames {
		if need&p.bit != 0 && have&p.bit == 0 {
			missing = append(missing, p.name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("I cannot post rounds in this %s: I need the %s permission here. Ask a server manager to grant it, or use another channel.",
		where, strings.Join(missing, " and "))
}

func (a *Adapter) handleClick(i *interaction, v via) *discordgo.InteractionResponse {
	ev, action, s, problem := a.actor(i, i.MessageComponentData().CustomID)
	if problem != "" {
		return ephemeralText(problem)
	}
	if ev.Message == "" {
		return ephemeralText("That button is not on a message I posted.")
	}
	onCard := i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	return a.answer(i, v, s, onCard, func(ctx context.Context) bot.Reply { return a.bot.Click(ctx, ev, action) })
}

// handleSubmit hands what a person typed into a form (a modal) to the bot.
func (a *Adapter) handleSubmit(i *interaction, v via) *discordgo.InteractionResponse {
	data := i.ModalSubmitData()
	ev, action, s, problem := a.actor(i, data.CustomID)
	if problem != "" {
		return ephemeralText(problem)
	}
	text := modalText(data)
	return a.answer(i, v, s, false, func(ctx context.Context) bot.Reply { return a.bot.Submit(ctx, ev, action, text) })
}

// answer runs the bot's handling of a click or a form and returns the
// first response: the reply, privately (a form as a modal; a card's next
// step in place of the card), or, when the bot takes longer than
// clickBudget, a deferred response that the reply fills later. s scopes
// the reply's buttons in a DM.
func (a *Adapter) answer(i *interaction, v via, s *scope, onCard bool, run func(context.Context) bot.Reply) *discordgo.InteractionResponse {
	done := make(chan bot.Reply, 1)
	a.work.Go(time.Minute, func(ctx context.Context) { done <- run(ctx) })
	timer := time.NewTimer(clickBudget)
	defer timer.Stop()
	select {
	case r := <-done:
		r = a.scopeReply(s, r)
		switch {
		case r.Duplicate && v == viaGateway:
			return nil
		case r.Duplicate:
			// An HTTP request must be answered; this one acknowledges the
			// click and changes nothing (the first delivery replied).
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
		case r.Form != nil:
			return modal(*r.Form)
		case r.Replace && onCard:
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: replyData(r, 0)}
		}
		return ephemeral(r)
	case <-timer.C:
		// The database is slow (a reveal may be writing): acknowledge now,
		// and deliver the private reply when the answer is stored.
		a.background(func(ctx context.Context) {
			select {
			case r := <-done:
				if r.Duplicate {
					return
				}
				r = a.scopeReply(s, r)
				if r.Form != nil {
					// A modal must be the first response; that moment has passed.
					r = bot.Reply{Message: bot.Message{Text: formLate}}
				}
				a.editOriginal(ctx, i, r)
			case <-ctx.Done():
			}
		})
		return deferredEphemeral()
	}
}

// handleDispatch handles an interaction from the gateway: decoded like an
// HTTP one, answered through the REST callback, and nothing at all for an
// interaction already handled (a resume may replay what was read).
func (a *Adapter) handleDispatch(raw []byte) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("Gateway interaction handler panicked", "panic", fmt.Sprint(p))
		}
	}()
	i, err := decode(raw)
	if err != nil {
		a.log.Warn("Unreadable interaction from the gateway", "error", err)
		return
	}
	if !a.seen.first(i.ID) {
		a.log.Info("Redelivered interaction ignored", "guild", i.GuildID, "channel", i.ChannelID)
		return
	}
	resp, follow := a.handle(i, viaGateway)
	if resp == nil {
		return
	}
	if err := a.respond(i, resp); err != nil {
		a.log.Error("Interaction callback failed", "guild", i.GuildID, "channel", i.ChannelID, "error", err)
		return
	}
	if follow != nil {
		a.background(follow)
	}
}
