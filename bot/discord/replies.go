package discord

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/bwmarrin/discordgo"
)

// tokenLife is how long an interaction token can edit its response.
const tokenLife = 15 * time.Minute

// maxReplyAttempts bounds the tries of one private reply; with the
// backoff below they span about the token's life.
const maxReplyAttempts = 20

// discordEpoch is the start of Discord's snowflake clock (2015-01-01, ms).
const discordEpoch = 1420070400000

// created is when Discord created a snowflake id, false for a malformed id.
func created(id string) (time.Time, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(n>>22) + discordEpoch), true
}

// background runs fn after the first response, bounded by the token's
// life: its reply must land before the token expires anyway.
func (a *Adapter) background(fn func(ctx context.Context)) { a.work.Go(tokenLife, fn) }

// replyBackoff is the wait before retry n of a private reply: 1 s
// doubling to 1 min, with jitter so a burst of failures does not retry in
// step.
func replyBackoff(n int) time.Duration {
	d := time.Second << min(n-1, 6)
	d = min(d, time.Minute)
	return d/2 + rand.N(d/2+1)
}

// editOriginal replaces the deferred response with the reply, at least
// once: failures are retried with backoff while the token lives, then
// given up with a log line and metrics.RepliesFailed.
func (a *Adapter) editOriginal(ctx context.Context, i *interaction, r bot.Reply) {
	embeds := []*discordgo.MessageEmbed{Embed(r.Message)}
	comps := Components(r.Message)
	edit := &discordgo.WebhookEdit{Embeds: &embeds, Components: &comps, AllowedMentions: noMentions}
	app := i.AppID
	if app == "" {
		app = a.appID
	}
	url := discordgo.EndpointWebhookMessage(app, i.Token, "@original")
	born, ok := created(i.ID)
	if !ok {
		born = a.now()
	}
	expires := born.Add(tokenLife)
	var err error
	attempt := 0
	for {
		attempt++
		err = withRetry(ctx, func() error {
			_, err := a.direct(ctx, http.MethodPatch, url, edit)
			return err
		})
		if err == nil || tokenGone(err) {
			break
		}
		wait := a.replyWait(attempt)
		if attempt == maxReplyAttempts || a.now().Add(wait).After(expires) {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			err = errors.Join(err, ctx.Err())
		case <-t.C:
			continue
		}
		break
	}
	if err != nil {
		metrics.RepliesFailed.WithLabelValues(Name).Inc()
		a.log.Error("Private reply given up", "guild", i.GuildID, "channel", i.ChannelID, "attempts", attempt, "error", err)
	}
}

// tokenGone reports an error no retry can fix: the interaction or its
// token is unknown or expired.
func tokenGone(err error) bool {
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		return false
	}
	if re.Message != nil {
		switch re.Message.Code {
		case discordgo.ErrCodeUnknownInteraction, discordgo.ErrCodeUnknownWebhook, discordgo.ErrCodeInvalidWebhookTokenProvided:
			return true
		}
	}
	return re.Response != nil && (re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusNotFound)
}

// respond sends a gateway interaction's first response through the REST
// callback, retrying an unknown outcome inside Discord's 3 s window; an
// "already acknowledged" answer means an earlier try landed.
func (a *Adapter) respond(i *interaction, resp *discordgo.InteractionResponse) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	url := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		_, err = a.direct(ctx, http.MethodPost, url, resp)
		var re *discordgo.RESTError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeInteractionHasAlreadyBeenAcknowledged:
			return nil
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500:
			return err // refused: a retry gets the same answer
		case ctx.Err() != nil:
			return err
		}
	}
	return err
}
