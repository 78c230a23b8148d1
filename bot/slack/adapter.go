package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	slackgo "github.com/slack-go/slack"
)

// slackAPI is the part of slack-go's client the adapter uses.
type slackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slackgo.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slackgo.MsgOption) (string, string, string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slackgo.GetUserInfoOption) (*slackgo.User, error)
}

// Config configures the adapter.
type Config struct {
	BotToken      string
	SigningSecret string
	AppToken      string   // set for Socket Mode
	APIURL        string   // Web API base, e.g. http://127.0.0.1:9000/api/
	Admins        []string // user ids allowed to change daily schedules, besides workspace admins
	Log           *slog.Logger
	// HTTPClient posts to response_url; default has a 10 s timeout.
	HTTPClient *http.Client
}

// Adapter connects the bot to Slack.
type Adapter struct {
	api    slackAPI
	client *slackgo.Client
	bot    *bot.Bot
	secret string
	admins map[string]bool
	log    *slog.Logger
	http   *http.Client

	work bot.Background // work started after an ack
}

var _ bot.Platform = (*Adapter)(nil)

// New returns an adapter for b and registers it as the "slack" platform.
func New(cfg Config, b *bot.Bot) *Adapter {
	opts := []slackgo.Option{}
	if cfg.APIURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	client := slackgo.New(cfg.BotToken, opts...)
	a := newAdapter(cfg, b, client)
	a.client = client
	return a
}

func newAdapter(cfg Config, b *bot.Bot, api slackAPI) *Adapter {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	admins := map[string]bool{}
	for _, id := range cfg.Admins {
		admins[id] = true
	}
	a := &Adapter{api: api, bot: b, secret: cfg.SigningSecret, admins: admins, log: log.With("component", "slack"), http: hc}
	b.Register(Name, a)
	return a
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

// Post implements bot.Platform with chat.postMessage; the ref is the ts.
func (a *Adapter) Post(ctx context.Context, channel string, m bot.Message) (string, error) {
	var ts string
	err := withRetry(ctx, func() error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, channel, slackgo.MsgOptionBlocks(Blocks(m)...), slackgo.MsgOptionText(Fallback(m), false))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat.postMessage: %w", err)
	}
	return ts, nil
}

// Edit implements bot.Platform with chat.update, always sending blocks (an
// update with text alone would keep the old buttons).
func (a *Adapter) Edit(ctx context.Context, channel, ref string, m bot.Message) error {
	err := withRetry(ctx, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ref, slackgo.MsgOptionBlocks(Blocks(m)...), slackgo.MsgOptionText(Fallback(m), false))
		return err
	})
	if err != nil {
		return fmt.Errorf("chat.update: %w", err)
	}
	return nil
}

// respond sends a private reply through the interaction's response_url.
// replace swaps the ephemeral message the click came from (drill, redo).
func (a *Adapter) respond(ctx context.Context, responseURL string, r bot.Reply) error {
	body := map[string]any{
		"response_type":    "ephemeral",
		"replace_original": r.Replace,
		"text":             Fallback(r.Message),
		"blocks":           slackgo.Blocks{BlockSet: Blocks(r.Message)},
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %s", resp.Status)
		}
	}
	metrics.ObserveAPI(Name, "response_url", start, err)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	return nil
}

// background runs fn after the request was acknowledged.
func (a *Adapter) background(fn func(ctx context.Context)) { a.work.Go(60*time.Second, fn) }

// Wait blocks until background work has finished or ctx is done.
func (a *Adapter) Wait(ctx context.Context) error { return a.work.Wait(ctx) }

// canManage reports whether user may change the channel's daily schedule:
// listed in Admins, or a workspace admin or owner.
func (a *Adapter) canManage(ctx context.Context, user string) bool {
	if a.admins[user] {
		return true
	}
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.log.Warn("users.info failed; treating the user as not a manager", "user_id", user, "error", err)
		return false
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
}
