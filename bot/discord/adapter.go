package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// Config configures the adapter.
type Config struct {
	BotToken  string
	AppID     string
	PublicKey ed25519.PublicKey
	GuildID   string // register commands in this guild only (instant); empty: global
	APIURL    string // REST base, e.g. http://127.0.0.1:9000/api/v10
	Log       *slog.Logger
}

// Adapter connects the bot to Discord.
type Adapter struct {
	s     *discordgo.Session
	bot   *bot.Bot
	pub   ed25519.PublicKey
	appID string
	guild string
	log   *slog.Logger
	now   func() time.Time

	work bot.Background // work started after an ack
}

var _ bot.Platform = (*Adapter)(nil)

// New returns an adapter for b and registers it as the "discord" platform.
func New(cfg Config, b *bot.Bot) (*Adapter, error) {
	s, err := discordgo.New("Bot " + cfg.BotToken)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	// discordgo's own retry sleeps without a context and without a cap;
	// withRetry waits for rate limits instead.
	s.ShouldRetryOnRateLimit = false
	s.Client = &http.Client{Timeout: 15 * time.Second}
	if cfg.APIURL != "" {
		base, err := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
		if err != nil {
			return nil, fmt.Errorf("DISCORD_API_URL: %w", err)
		}
		s.Client.Transport = rewrite{base: base}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{s: s, bot: b, pub: cfg.PublicKey, appID: cfg.AppID, guild: cfg.GuildID, log: log.With("component", "discord"), now: time.Now}
	b.Register(Name, a)
	return a, nil
}

// rewrite sends every REST call to another base URL (DISCORD_API_URL):
// discordgo's endpoint strings are fixed at init, so the transport is the
// one place that sees every request.
type rewrite struct{ base *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	rest := strings.TrimPrefix(u.String(), discordgo.EndpointAPI)
	if rest == u.String() {
		return nil, fmt.Errorf("discord: unexpected URL %s", u.Redacted())
	}
	target, err := url.Parse(r.base.String() + "/" + rest)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL = target
	out.Host = target.Host
	return http.DefaultTransport.RoundTrip(out)
}

// withRetry runs call, waiting out 429s (retry_after) while ctx allows.
func withRetry(ctx context.Context, call func() error) error {
	return bot.RetryRateLimited(ctx, Name, 50*time.Millisecond, retryAfter, call)
}

func retryAfter(err error) (time.Duration, bool) {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return rl.RetryAfter, true
	}
	var rlv discordgo.RateLimitError
	if errors.As(err, &rlv) && rlv.RateLimit != nil && rlv.TooManyRequests != nil {
		return rlv.RetryAfter, true
	}
	return 0, false
}

// Post implements bot.Platform: a bot-authored channel message, so it can be
// edited after the interaction token has expired.
func (a *Adapter) Post(ctx context.Context, channel string, m bot.Message) (string, error) {
	var id string
	err := withRetry(ctx, func() error {
		msg, err := a.s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
			Embeds: []*discordgo.MessageEmbed{Embed(m)}, Components: Components(m), AllowedMentions: noMentions,
		}, discordgo.WithContext(ctx))
		if err == nil {
			id = msg.ID
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create message: %w", err)
	}
	return id, nil
}

// Edit implements bot.Platform; an empty component list removes the buttons.
func (a *Adapter) Edit(ctx context.Context, channel, ref string, m bot.Message) error {
	embeds := []*discordgo.MessageEmbed{Embed(m)}
	comps := Components(m)
	err := withRetry(ctx, func() error {
		_, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
			Channel: channel, ID: ref, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions,
		}, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("edit message: %w", err)
	}
	return nil
}

// Wait blocks until background work has finished or ctx is done.
func (a *Adapter) Wait(ctx context.Context) error { return a.work.Wait(ctx) }
