package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

const (
	maxBody = 64 << 10
	// replayWindow refuses signed requests whose timestamp is too far from now.
	replayWindow = 5 * time.Minute
	// clickBudget is how long a click may take before the answer is deferred;
	// Discord allows 3 s for the first response.
	clickBudget = 2 * time.Second
)

// Routes registers the interactions endpoint on mux.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /discord/interactions", a.handleHTTP)
}

// verify checks Discord's Ed25519 signature over timestamp + body, and that
// the timestamp is within the replay window.
func (a *Adapter) verify(sigHex, ts string, body []byte) error {
	if sigHex == "" || ts == "" {
		return fmt.Errorf("missing signature headers")
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("malformed signature")
	}
	if !ed25519.Verify(a.pub, append([]byte(ts), body...), sig) {
		return fmt.Errorf("bad signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("malformed timestamp")
	}
	if d := a.now().Sub(time.Unix(sec, 0)); d > replayWindow || d < -replayWindow {
		return fmt.Errorf("timestamp outside the replay window")
	}
	return nil
}

func (a *Adapter) handleHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := a.verify(r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body); err != nil {
		a.log.Warn("Refused an unsigned or badly signed interaction", "reason", err.Error())
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	resp, follow := a.handle(&i)
	if resp == nil {
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
	if follow != nil {
		a.background(follow)
	}
}

// HandleGateway handles an interaction that arrived over the gateway: the
// same handling as HTTP, with the response sent through the REST callback.
func (a *Adapter) HandleGateway(ic *discordgo.InteractionCreate) {
	resp, follow := a.handle(ic.Interaction)
	if resp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.s.InteractionRespond(ic.Interaction, resp, discordgo.WithContext(ctx)); err != nil {
		a.log.Error("Interaction callback failed", "guild", ic.GuildID, "channel", ic.ChannelID, "error", err)
		return
	}
	if follow != nil {
		a.background(follow)
	}
}

// background runs fn after the first response; interaction tokens last 15
// minutes, and the work needs far less.
func (a *Adapter) background(fn func(ctx context.Context)) { a.work.Go(time.Minute, fn) }

func event(i *discordgo.Interaction) (bot.Event, bool) {
	ev := bot.Event{Platform: Name, Team: i.GuildID, Channel: i.ChannelID}
	var u *discordgo.User
	if i.Member != nil {
		u = i.Member.User
		ev.CanManage = bot.Known(i.Member.Permissions&(discordgo.PermissionManageChannels|discordgo.PermissionAdministrator) != 0)
	} else {
		u = i.User
	}
	if u == nil {
		return ev, false
	}
	ev.User, ev.UserName, ev.IsBot = u.ID, u.Username, u.Bot
	if i.Member != nil && i.Member.Nick != "" {
		ev.UserName = i.Member.Nick
	}
	if u.GlobalName != "" && (i.Member == nil || i.Member.Nick == "") {
		ev.UserName = u.GlobalName
	}
	return ev, true
}

// handle returns the first response to send and, optionally, work to run
// after it. A nil response means the interaction type is not supported.
func (a *Adapter) handle(i *discordgo.Interaction) (*discordgo.InteractionResponse, func(context.Context)) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommand:
		return a.handleCommand(i)
	case discordgo.InteractionMessageComponent:
		return a.handleClick(i), nil
	}
	return nil, nil
}

func ephemeral(r bot.Reply) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: replyData(r, discordgo.MessageFlagsEphemeral),
	}
}

func replyData(r bot.Reply, flags discordgo.MessageFlags) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Embeds: []*discordgo.MessageEmbed{Embed(r.Message)}, Components: Components(r.Message),
		AllowedMentions: noMentions, Flags: flags,
	}
}

func (a *Adapter) handleCommand(i *discordgo.Interaction) (*discordgo.InteractionResponse, func(context.Context)) {
	ev, ok := event(i)
	if !ok || ev.Team == "" {
		return ephemeral(bot.Reply{Message: bot.Message{Text: "Use /asyncquiz in a server channel."}}), nil
	}
	data := i.ApplicationCommandData()
	if len(data.Options) != 1 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return ephemeral(bot.Help()), nil
	}
	sub := data.Options[0]
	opts := map[string]string{}
	for _, o := range sub.Options {
		switch o.Type {
		case discordgo.ApplicationCommandOptionString:
			opts[o.Name] = o.StringValue()
		case discordgo.ApplicationCommandOptionInteger:
			opts[o.Name] = strconv.FormatInt(o.IntValue(), 10)
		case discordgo.ApplicationCommandOptionBoolean:
			if o.BoolValue() {
				opts[o.Name] = "true"
			}
		default:
			opts[o.Name] = fmt.Sprint(o.Value)
		}
	}
	cmd, err := bot.ParseOptions(sub.Name, opts)
	if err != nil {
		// Stale registrations and API clients can send anything: validate, answer at once.
		return ephemeral(bot.Reply{Message: bot.Message{Text: bot.ErrorMessage(err)}}), nil
	}
	deferred := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
	return deferred, func(ctx context.Context) {
		reply := a.bot.Command(ctx, ev, cmd)
		a.editOriginal(ctx, i, reply)
	}
}

// editOriginal replaces the deferred response with the reply.
func (a *Adapter) editOriginal(ctx context.Context, i *discordgo.Interaction, r bot.Reply) {
	embeds := []*discordgo.MessageEmbed{Embed(r.Message)}
	comps := Components(r.Message)
	err := withRetry(ctx, func() error {
		_, err := a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Embeds: &embeds, Components: &comps, AllowedMentions: noMentions},
			discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		a.log.Error("Deferred reply failed", "guild", i.GuildID, "channel", i.ChannelID, "error", err)
	}
}

func (a *Adapter) handleClick(i *discordgo.Interaction) *discordgo.InteractionResponse {
	ev, ok := event(i)
	if !ok {
		return ephemeral(bot.Reply{Message: bot.Message{Text: "I cannot tell who clicked."}})
	}
	action := i.MessageComponentData().CustomID
	done := make(chan bot.Reply, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done <- a.bot.Click(ctx, ev, action)
	}()
	onCard := i.Message != nil && i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	select {
	case r := <-done:
		if r.Replace && onCard {
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: replyData(r, 0)}
		}
		return ephemeral(r)
	case <-time.After(clickBudget):
		// The database is slow (a reveal may be writing): acknowledge now,
		// and deliver the private reply when the answer is stored.
		a.background(func(ctx context.Context) {
			select {
			case r := <-done:
				a.editOriginal(ctx, i, r)
			case <-ctx.Done():
			}
		})
		return &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		}
	}
}
