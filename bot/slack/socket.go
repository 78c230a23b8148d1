package slack

import (
	"context"
	"fmt"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// acker acknowledges a Socket Mode envelope.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// RunSocketMode receives commands and clicks over Socket Mode (no public
// URL needed) until ctx is done.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.client == nil {
		return fmt.Errorf("socket mode needs a client made by New")
	}
	sm := socketmode.New(a.client)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-sm.Events:
				if !ok {
					return
				}
				a.dispatch(sm, evt)
			}
		}
	}()
	if err := sm.RunContext(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("socket mode: %w", err)
	}
	return nil
}

// dispatch acks an envelope at once and runs the same handling as HTTP.
func (a *Adapter) dispatch(ack acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slackgo.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		ack.Ack(*evt.Request)
		c := command{team: sc.TeamID, channel: sc.ChannelID, user: sc.UserID, userName: sc.UserName, text: sc.Text, responseURL: sc.ResponseURL}
		a.background(func(ctx context.Context) { a.runCommand(ctx, c) })
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackgo.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if cb.Type != slackgo.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
			ack.Ack(*evt.Request)
			return
		}
		// As over HTTP: commit the answer, then ack, then reply.
		reply := a.click(context.Background(), cb)
		ack.Ack(*evt.Request)
		a.background(func(ctx context.Context) { a.replyToClick(ctx, cb, reply) })
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		a.log.Debug("Socket Mode", "event", string(evt.Type))
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.log.Error("Socket Mode connection problem", "event", string(evt.Type))
	}
}
