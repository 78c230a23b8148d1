package bot

import (
	"context"
	"errors"
)

// ErrRejected marks a post or edit the platform definitely refused (the
// bot is not in the channel, the channel does not exist): nothing was
// posted. Adapters wrap it; any other error leaves the outcome unknown,
// so the post is retried, and the retry finds a message that did land.
var ErrRejected = errors.New("the platform refused it")

// Platform is what the bot needs from a chat platform. Channel ids are
// unique within a platform instance; ref is the platform's id of a message.
type Platform interface {
	// Post posts a public message in channel and returns its ref.
	Post(ctx context.Context, channel string, m Message) (ref string, err error)
	// Edit replaces the message ref in channel with m.
	Edit(ctx context.Context, channel, ref string, m Message) error
}
