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
	"sync"
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
	s     *discordgo.Session // REST only; the gateway is ours (gateway.go)
	bot   *bot.Bot
	pub   ed25519.PublicKey
	token string
	appID string
	guild string
	log   *slog.Logger
	now   func() time.Time
	// replyWait is the wait before retry n of a private reply.
	replyWait func(n int) time.Duration
	gw        gatewayTiming
	seen      seenSet

	selfMu sync.Mutex
	selfID string // the bot's user id, for finding its own messages

	work bot.Background // work started after an ack

	dmMu sync.Mutex
	dms  map[string]string // user -> the DM channel with them
}

var _ bot.Platform = (*Adapter)(nil)

// New returns an adapter for b and registers it as the "discord" platform.
func New(cfg Config, b *bot.Bot) (*Adapter, error) {
	s, err := discordgo.New("Bot " + cfg.BotToken)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "discord")
	routeLibraryLog(log)
	// discordgo's own retry sleeps without a context and without a cap;
	// withRetry waits for rate limits instead.
	s.ShouldRetryOnRateLimit = false
	s.LogLevel = discordgo.LogWarning
	s.Client = &http.Client{Timeout: 15 * time.Second, Transport: newTransport()}
	if cfg.APIURL != "" {
		base, err := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
		if err != nil {
			return nil, fmt.Errorf("DISCORD_API_URL: %w", err)
		}
		s.Client.Transport = rewrite{base: base, next: s.Client.Transport}
	}
	a := &Adapter{
		s: s, bot: b, pub: cfg.PublicKey, token: cfg.BotToken, appID: cfg.AppID, guild: cfg.GuildID, log: log,
		now: time.Now, replyWait: replyBackoff, gw: defaultGatewayTiming(),
	}
	b.Register(Name, a)
	return a, nil
}

// newTransport keeps connections to Discord open for reuse: every private
// reply, callback and post goes to the same host, and a burst of clicks
// must not open (and leave in TIME_WAIT) a connection each. At most
// maxConns are open; a burst beyond them waits for one (discordgo reads
// every body to the end, so each connection goes back to the pool).
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxConns
	t.MaxIdleConnsPerHost = maxConns
	t.MaxConnsPerHost = maxConns
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// maxConns bounds the connections to Discord's API host.
const maxConns = 100

// rewrite sends every REST call to another base URL (DISCORD_API_URL):
// discordgo's endpoint strings are fixed at init, so the transport is the
// one place that sees every request.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

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
	return r.next.RoundTrip(out)
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

// Wait blocks until background work has finished or ctx is done.
func (a *Adapter) Wait(ctx context.Context) error { return a.work.Wait(ctx) }

// ManagerRule implements bot.ManagerRule.
func (a *Adapter) ManagerRule() string {
	return "people with the Manage Channels or Administrator permission"
}
