package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// maxBody bounds a request body; Slack's payloads are a few KB.
const maxBody = 64 << 10

// Routes registers the HTTP endpoints on mux.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.handleCommand)
	mux.HandleFunc("POST /slack/interactions", a.handleInteraction)
}

// verified reads the body and checks Slack's v0 signature (HMAC-SHA256 of
// "v0:timestamp:body" with the signing secret, timestamp within 5 minutes,
// constant-time compare) before anything is parsed. It writes the error
// response and returns false on failure.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusBadRequest)
		} else {
			http.Error(w, "cannot read body", http.StatusBadRequest)
		}
		return nil, false
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
	if err == nil {
		_, err = sv.Write(body)
	}
	if err == nil {
		err = sv.Ensure()
	}
	if err != nil {
		a.log.Warn("Refused an unsigned or badly signed request", "path", r.URL.Path, "reason", err.Error())
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return nil, false
	}
	return form, true
}

// command is a slash command as the bot needs it.
type command struct {
	team, channel, user, userName, text, responseURL string
}

func (a *Adapter) handleCommand(w http.ResponseWriter, r *http.Request) {
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	c := command{
		team: form.Get("team_id"), channel: form.Get("channel_id"), user: form.Get("user_id"),
		userName: form.Get("user_name"), text: form.Get("text"), responseURL: form.Get("response_url"),
	}
	if c.team == "" || c.channel == "" || c.user == "" || c.responseURL == "" {
		http.Error(w, "missing command fields", http.StatusBadRequest)
		return
	}
	// Ack now with an empty 200; the reply follows through response_url.
	w.WriteHeader(http.StatusOK)
	a.background(func(ctx context.Context) { a.runCommand(ctx, c) })
}

func (a *Adapter) runCommand(ctx context.Context, c command) {
	ev := bot.Event{Platform: Name, Team: c.team, Channel: c.channel, User: c.user, UserName: c.userName,
		CanManage: func(ctx context.Context) bool { return a.canManage(ctx, c.user) }}
	reply := a.bot.CommandText(ctx, ev, c.text)
	if err := a.respond(ctx, c.responseURL, reply); err != nil {
		a.log.Error("Command reply failed", "team", c.team, "channel", c.channel, "error", err)
	}
}

func (a *Adapter) handleInteraction(w http.ResponseWriter, r *http.Request) {
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	var cb slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if cb.Type != slackgo.InteractionTypeBlockActions {
		// Nothing else is configured for this app; acknowledge and ignore.
		w.WriteHeader(http.StatusOK)
		return
	}
	if len(cb.ActionCallback.BlockActions) == 0 || cb.ResponseURL == "" {
		http.Error(w, "no action in payload", http.StatusBadRequest)
		return
	}
	// The answer is committed before the ack: what the person is told was
	// accepted has been stored. Only the private reply follows the ack.
	reply := a.click(r.Context(), cb)
	w.WriteHeader(http.StatusOK)
	a.background(func(ctx context.Context) { a.replyToClick(ctx, cb, reply) })
}

// clickDeadline bounds recording a click, well inside Slack's 3 seconds.
const clickDeadline = 2500 * time.Millisecond

// click records a block action and returns the private reply.
func (a *Adapter) click(ctx context.Context, cb slackgo.InteractionCallback) bot.Reply {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	ev := bot.Event{
		Platform: Name, Team: cb.Team.ID, Channel: channel,
		User: cb.User.ID, UserName: firstNonEmpty(cb.User.Name, cb.User.ID), IsBot: cb.User.IsBot,
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), clickDeadline)
	defer cancel()
	reply := a.bot.Click(ctx, ev, cb.ActionCallback.BlockActions[0].Value)
	// Only an ephemeral card (drill, redo) may be replaced; a click on the
	// public round must never overwrite it.
	reply.Replace = reply.Replace && cb.Container.IsEphemeral
	return reply
}

func (a *Adapter) replyToClick(ctx context.Context, cb slackgo.InteractionCallback, reply bot.Reply) {
	if err := a.respond(ctx, cb.ResponseURL, reply); err != nil {
		a.log.Error("Click reply failed", "team", cb.Team.ID, "error", err)
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
