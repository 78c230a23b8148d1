package slack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// metadataType is the event_type of the metadata every keyed message
// carries; its payload's "key" is bot.Message.Key.
const metadataType = "asyncquiz_message"

// lookBack is how many of a channel's newest messages a retried post
// searches for its key: a retry follows its first attempt within minutes.
const lookBack = 100

// unknownOutcome are Slack's ok:false answers that do not say whether the
// call was applied. Every other ok:false answer is a definite refusal:
// Slack says ok:true whenever it posted.
var unknownOutcome = map[string]bool{
	"internal_error": true, "fatal_error": true, "request_timeout": true, "service_unavailable": true,
	"ratelimited": true, "unknown_error": true,
}

// rejected wraps err in bot.ErrRejected when Slack definitely refused
// (not_in_channel, channel_not_found, is_archived, invalid_auth, ...);
// transport errors, timeouts, 5xx and 429 leave the outcome unknown.
func rejected(err error) error {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && !unknownOutcome[se.Err] {
		return fmt.Errorf("%w: %w", bot.ErrRejected, err)
	}
	return err
}

// withRetry runs call, waiting out Slack rate limits (Retry-After, at
// least a second) while ctx allows.
func withRetry(ctx context.Context, call func() error) error {
	return bot.RetryRateLimited(ctx, Name, time.Second, func(err error) (time.Duration, bool) {
		var rl *slackgo.RateLimitedError
		if errors.As(err, &rl) {
			return rl.RetryAfter, true
		}
		return 0, false
	}, call)
}

// Post implements bot.Platform with chat.postMessage; the ref is the ts. A
// keyed message carries its key in message metadata, and a retry first
// looks for a message that landed under it, so a lost answer from Slack
// never leaves two live questions.
func (a *Adapter) Post(ctx context.Context, channel string, m bot.Message) (string, error) {
	if m.Retry && m.Key != "" {
		ts, err := a.findPosted(ctx, channel, m.Key)
		switch {
		case ts != "":
			a.log.Info("Adopted a message posted earlier", "channel", channel, "key", m.Key)
			return ts, nil
		case err != nil && !errors.Is(err, bot.ErrRejected):
			return "", fmt.Errorf("look for an earlier post: %w", err)
		case err != nil:
			// Slack will not show us the channel (no history scope, not a
			// member): post, since no question at all is worse. A click on
			// an unrecorded earlier copy is refused (wrong message ts).
			a.log.Warn("Cannot look for an earlier post; posting again", "channel", channel, "error", err)
		}
	}
	opts := []slackgo.MsgOption{slackgo.MsgOptionBlocks(Blocks(m)...), slackgo.MsgOptionText(Fallback(m), false)}
	if m.Key != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{
			EventType: metadataType, EventPayload: map[string]any{"key": m.Key},
		}))
	}
	var ts string
	err := withRetry(ctx, func() error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat.postMessage: %w", rejected(err))
	}
	return ts, nil
}

// findPosted returns the ts of this bot's newest message in channel whose
// metadata carries key, or "" when there is none.
func (a *Adapter) findPosted(ctx context.Context, channel, key string) (string, error) {
	inst, _ := a.installation(ctx) // only to recognise our own bot_id
	var resp *slackgo.GetConversationHistoryResponse
	err := withRetry(ctx, func() error {
		var err error
		resp, err = a.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
			ChannelID: channel, Limit: lookBack, IncludeAllMetadata: true,
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.history: %w", rejected(err))
	}
	for _, msg := range resp.Messages {
		if msg.Metadata.EventType != metadataType || (inst.BotID != "" && msg.BotID != inst.BotID) {
			continue
		}
		if k, _ := msg.Metadata.EventPayload["key"].(string); k == key {
			return msg.Timestamp, nil
		}
	}
	return "", nil
}

// Edit implements bot.Platform with chat.update, always sending blocks (an
// update with text alone would keep the old buttons).
func (a *Adapter) Edit(ctx context.Context, channel, ref string, m bot.Message) error {
	err := withRetry(ctx, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ref, slackgo.MsgOptionBlocks(Blocks(m)...), slackgo.MsgOptionText(Fallback(m), false))
		return err
	})
	if err != nil {
		return fmt.Errorf("chat.update: %w", rejected(err))
	}
	return nil
}
