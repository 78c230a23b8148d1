package discord

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// Redo reminders are DMs, and an interaction in a DM names no server: no
// guild_id, and authorizing_integration_owners says "0". So every button
// the bot puts in a DM, and every form opened from one, carries in its
// custom id the server it acts for, with a MAC over server and person:
// an id made up elsewhere, or copied to another person, is not believed.
// The format, "g<server in base 36>.<mac>:<action>", adds at most 24
// characters, so an action of a question id at its limit (64) still fits
// Discord's 100.

// scope is the server a DM's components act for, and the person the DM
// is with.
type scope struct{ guild, user string }

// macLen is how many bytes of the MAC a custom id carries (8 characters).
const macLen = 6

// errNotServer: a DM's team must be a Discord server id.
var errNotServer = errors.New("not a Discord server id")

func (a *Adapter) mac(guild, user string) string {
	key := sha256.Sum256([]byte("asyncquiz DM scope\x00" + a.token))
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(guild + "\x00" + user))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:macLen])
}

// wrap makes action a custom id of s's server.
func (a *Adapter) wrap(s scope, action string) (string, error) {
	n, err := strconv.ParseUint(s.guild, 10, 64)
	if err != nil || !isSnowflake(s.guild) {
		return "", errNotServer
	}
	id := "g" + strconv.FormatUint(n, 36) + "." + a.mac(s.guild, s.user) + ":" + action
	if len(id) > maxCustomID {
		return "", fmt.Errorf("custom id of %d characters: over Discord's %d", len(id), maxCustomID)
	}
	return id, nil
}

// unwrap reads a custom id made by wrap for user: the server and the
// action. ok is false for any other id.
func (a *Adapter) unwrap(user, id string) (guild, action string, ok bool) {
	head, action, found := strings.Cut(id, ":")
	g36, sum, dot := strings.Cut(strings.TrimPrefix(head, "g"), ".")
	if !found || !dot || !strings.HasPrefix(head, "g") {
		return "", "", false
	}
	n, err := strconv.ParseUint(g36, 36, 64)
	if err != nil || n == 0 {
		return "", "", false
	}
	guild = strconv.FormatUint(n, 10)
	if !hmac.Equal([]byte(sum), []byte(a.mac(guild, user))) {
		return "", "", false
	}
	return guild, action, true
}

// scopeMessage gives every button of m the custom id of s's server.
func (a *Adapter) scopeMessage(s scope, m bot.Message) (bot.Message, error) {
	buttons := make([]bot.Button, len(m.Buttons))
	for i, b := range m.Buttons {
		id, err := a.wrap(s, b.Action)
		if err != nil {
			return bot.Message{}, err
		}
		buttons[i] = bot.Button{Label: b.Label, Action: id}
	}
	m.Buttons = buttons
	if m.Report != nil {
		id, err := a.wrap(s, m.Report.Action)
		if err != nil {
			return bot.Message{}, err
		}
		m.Report = &bot.Button{Label: m.Report.Label, Action: id}
	}
	return m, nil
}

// scopeReply scopes a reply in a DM like the message it answers: its
// buttons and its form. Outside a DM (s nil) it is r.
func (a *Adapter) scopeReply(s *scope, r bot.Reply) bot.Reply {
	if s == nil {
		return r
	}
	m, err := a.scopeMessage(*s, r.Message)
	if err == nil && r.Form != nil {
		f := *r.Form
		f.Action, err = a.wrap(*s, f.Action)
		r.Form = &f
	}
	if err != nil {
		a.log.Error("Reply in a DM cannot carry its server", "error", err)
		return bot.Reply{Message: bot.Message{Text: "Something went wrong on my side. Use /asyncquiz redo in the server instead."}}
	}
	r.Message = m
	return r
}

// dmEvent is the event of a click or form in a DM with the bot, when
// customID was made by wrap for the person: the server is the one it
// names. ok is false otherwise.
func (a *Adapter) dmEvent(i *interaction, customID string) (ev bot.Event, action string, s *scope, ok bool) {
	if i.GuildID != "" || i.User == nil || i.User.ID == "" || i.ChannelID == "" {
		return bot.Event{}, "", nil, false
	}
	guild, action, ok := a.unwrap(i.User.ID, customID)
	if !ok {
		return bot.Event{}, "", nil, false
	}
	ev = bot.Event{
		Platform: Name, Team: guild, Channel: i.ChannelID, Delivery: i.ID, User: i.User.ID, IsBot: i.User.Bot,
		UserName: displayName(userName(nil, i.User)), CanManage: bot.Known(false),
	}
	if i.Message != nil {
		ev.Message = i.Message.ID
	}
	return ev, action, &scope{guild: guild, user: i.User.ID}, true
}

var _ bot.DirectMessenger = (*Adapter)(nil)

// maxDMs bounds the remembered DM channels; past it they are forgotten
// and opened again (Discord returns the same channel).
const maxDMs = 10000

// DirectMessage implements bot.DirectMessenger: POST /users/@me/channels
// opens the DM with the person (no permission needed, only a server in
// common that allows DMs from members), and the message is posted there
// like any other, its buttons carrying team, the server they act for. A
// refusal (403: the person's DMs are closed to the bot, error 50007) wraps
// bot.ErrRejected.
func (a *Adapter) DirectMessage(ctx context.Context, team, user string, m bot.Message) error {
	if !isSnowflake(user) {
		return fmt.Errorf("direct message to an invalid user id: %w", bot.ErrRejected)
	}
	m, err := a.scopeMessage(scope{guild: team, user: user}, m)
	if err != nil {
		return fmt.Errorf("direct message for server %q: %w: %w", team, bot.ErrRejected, err)
	}
	ch, err := a.dmChannel(ctx, user)
	if err != nil {
		return fmt.Errorf("direct message: %w", err)
	}
	if _, err := a.Post(ctx, ch, m); err != nil {
		a.forgetDM(user)
		return fmt.Errorf("direct message: %w", err)
	}
	return nil
}

// dmChannel is the DM channel with user, opened once and then remembered.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.dmMu.Lock()
	ch, ok := a.dms[user]
	a.dmMu.Unlock()
	if ok {
		return ch, nil
	}
	var c *discordgo.Channel
	err := withRetry(ctx, func() error {
		var err error
		c, err = a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open DM channel: %w", rejected(err))
	}
	if c == nil || c.ID == "" {
		return "", errors.New("open DM channel: no channel in the response")
	}
	a.dmMu.Lock()
	defer a.dmMu.Unlock()
	if a.dms == nil || len(a.dms) >= maxDMs {
		a.dms = map[string]string{}
	}
	a.dms[user] = c.ID
	return c.ID, nil
}

func (a *Adapter) forgetDM(user string) {
	a.dmMu.Lock()
	defer a.dmMu.Unlock()
	delete(a.dms, user)
}
