package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// createMessage is Create Message's body. discordgo's MessageSend has no
// nonce or enforce_nonce, so the adapter sends its own.
type createMessage struct {
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// nonce derives Create Message's nonce from a message key. Discord keeps
// nonces to 25 characters; a hash keeps any key within that, the same key
// always giving the same nonce.
func nonce(key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return "aq" + hex.EncodeToString(sum[:])[:23]
}

// lookBack is how many recent messages a retried post searches for the
// one an earlier try may have posted.
const lookBack = 50

// Post implements bot.Platform: a bot-authored channel message, so it can be
// edited after the interaction token has expired. With a Key the post is
// exactly once: the nonce makes Discord return the message an earlier try
// created (for a few minutes), and a retry first looks for it in the
// channel (for longer).
func (a *Adapter) Post(ctx context.Context, channel string, m bot.Message) (string, error) {
	if m.Retry {
		ref, err := a.findPosted(ctx, channel, m)
		if err != nil {
			return "", fmt.Errorf("find earlier post: %w", rejected(err))
		}
		if ref != "" {
			a.log.Info("Adopted a message an earlier post created", "channel", channel, "message", ref)
			return ref, nil
		}
	}
	body := createMessage{Embeds: []*discordgo.MessageEmbed{Embed(m)}, Components: Components(m), AllowedMentions: noMentions}
	if body.Nonce = nonce(m.Key); body.Nonce != "" {
		body.EnforceNonce = true
	}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var msg discordgo.Message
	err := withRetry(ctx, func() error {
		raw, err := a.s.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &msg)
	})
	if err == nil && msg.ID == "" {
		err = errors.New("no message id in the response")
	}
	if err != nil {
		return "", fmt.Errorf("create message: %w", rejected(err))
	}
	return msg.ID, nil
}

// findPosted returns the id of a recent message of this bot in channel
// whose buttons are m's (they carry the round's id), or "".
func (a *Adapter) findPosted(ctx context.Context, channel string, m bot.Message) (string, error) {
	want := customIDs(Components(m))
	if len(want) == 0 {
		return "", nil
	}
	self, err := a.self(ctx)
	if err != nil {
		return "", err
	}
	var msgs []*discordgo.Message
	err = withRetry(ctx, func() error {
		var err error
		msgs, err = a.s.ChannelMessages(channel, lookBack, "", "", "", discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return "", err
	}
	for _, msg := range msgs {
		if msg != nil && msg.Author != nil && msg.Author.ID == self && slices.Equal(customIDs(msg.Components), want) {
			return msg.ID, nil
		}
	}
	return "", nil
}

// self is the bot's user id (GET /users/@me, once it succeeds).
func (a *Adapter) self(ctx context.Context) (string, error) {
	a.selfMu.Lock()
	defer a.selfMu.Unlock()
	if a.selfID != "" {
		return a.selfID, nil
	}
	u, err := a.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("bot user: %w", err)
	}
	a.selfID = u.ID
	return a.selfID, nil
}

func customIDs(rows []discordgo.MessageComponent) []string {
	var out []string
	for _, row := range rows {
		var comps []discordgo.MessageComponent
		switch r := row.(type) {
		case discordgo.ActionsRow:
			comps = r.Components
		case *discordgo.ActionsRow:
			comps = r.Components
		}
		for _, c := range comps {
			switch b := c.(type) {
			case discordgo.Button:
				out = append(out, b.CustomID)
			case *discordgo.Button:
				out = append(out, b.CustomID)
			}
		}
	}
	return out
}

// Edit implements bot.Platform; an empty component list removes the
// buttons. A thread that archived itself before the reveal is unarchived
// (Send Messages in Threads allows it) and the edit made again.
func (a *Adapter) Edit(ctx context.Context, channel, ref string, m bot.Message) error {
	err := a.edit(ctx, channel, ref, m)
	if code(err) == discordgo.ErrCodePerformedOperationOnArchivedThread {
		archived := false
		err = withRetry(ctx, func() error {
			_, err := a.s.ChannelEditComplex(channel, &discordgo.ChannelEdit{Archived: &archived}, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			return fmt.Errorf("unarchive thread: %w", rejected(err))
		}
		a.log.Info("Unarchived a thread to reveal its round", "channel", channel)
		err = a.edit(ctx, channel, ref, m)
	}
	if err != nil {
		return fmt.Errorf("edit message: %w", rejected(err))
	}
	return nil
}

func (a *Adapter) edit(ctx context.Context, channel, ref string, m bot.Message) error {
	embeds := []*discordgo.MessageEmbed{Embed(m)}
	comps := Components(m)
	return withRetry(ctx, func() error {
		_, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
			Channel: channel, ID: ref, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions,
		}, discordgo.WithContext(ctx))
		return err
	})
}

// code is Discord's JSON error code in err, or 0.
func code(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// rejected wraps bot.ErrRejected around a definite refusal: Discord
// answered, and nothing was created or changed (no access, no channel, no
// permission, a locked thread, a deleted message, a bad request). Anything
// else (a timeout, a reset, a 5xx) leaves the outcome unknown.
func rejected(err error) error {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return err
	}
	switch code(err) {
	case discordgo.ErrCodeMissingAccess, discordgo.ErrCodeUnknownChannel, discordgo.ErrCodeMissingPermissions,
		discordgo.ErrCodeUnknownMessage, discordgo.ErrCodeThreadIsLocked, discordgo.ErrCodePerformedOperationOnArchivedThread:
		return fmt.Errorf("%w: %w", bot.ErrRejected, err)
	}
	switch re.Response.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("%w: %w", bot.ErrRejected, err)
	}
	return err
}
