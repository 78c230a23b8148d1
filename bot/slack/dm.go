package slack

import (
	"context"
	"fmt"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// maxDMs bounds the remembered DM channels; past it they are forgotten
// and opened again (conversations.open is idempotent).
const maxDMs = 10000

var _ bot.DirectMessenger = (*Adapter)(nil)

// DirectMessage implements bot.DirectMessenger: conversations.open with the
// person (scope im:write) gives the app's DM with them, and the message is
// posted there like any other (chat.postMessage, waiting out rate limits).
// team is ignored: the tenant of everything here is the installation, and
// a click in the DM carries it as any click does. A refusal (the person is
// a bot or deactivated, cannot_dm_bot, user_not_found, a missing scope)
// wraps bot.ErrRejected.
func (a *Adapter) DirectMessage(ctx context.Context, _ string, user string, m bot.Message) error {
	if !validID(user) {
		return fmt.Errorf("direct message to an invalid user id: %w", bot.ErrRejected)
	}
	ch, err := a.dmChannel(ctx, user)
	if err != nil {
		return fmt.Errorf("direct message: %w", err)
	}
	if _, err := a.Post(ctx, ch, m); err != nil {
		a.forgetDM(user) // it may have been the channel; open it again next time
		return fmt.Errorf("direct message: %w", err)
	}
	return nil
}

// dmChannel is the id of the app's DM with user, opened once and then
// remembered: conversations.open is rate limited (Tier 3), and the DM of
// a person does not change.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.dmMu.Lock()
	ch, ok := a.dms[user]
	a.dmMu.Unlock()
	if ok {
		return ch, nil
	}
	var c *slackgo.Channel
	err := withRetry(ctx, func() error {
		var err error
		c, _, _, err = a.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.open: %w", rejected(err))
	}
	if c == nil || !validID(c.ID) {
		return "", fmt.Errorf("conversations.open: no channel in the answer")
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
