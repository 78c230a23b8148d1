package bot

import "context"

// Platform is what the bot needs from a chat platform. Channel ids are
// unique within a platform instance; ref is the platform's id of a message.
type Platform interface {
	// Post posts a public message in channel and returns its ref.
	Post(ctx context.Context, channel string, m Message) (ref string, err error)
	// Edit replaces the message ref in channel with m.
	Edit(ctx context.Context, channel, ref string, m Message) error
}
