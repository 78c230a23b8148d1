package slack

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// slackAPI is the part of slack-go's client the adapter uses.
type slackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slackgo.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slackgo.MsgOption) (string, string, string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slackgo.GetUserInfoOption) (*slackgo.User, error)
	GetConversationHistoryContext(ctx context.Context, params *slackgo.GetConversationHistoryParameters) (*slackgo.GetConversationHistoryResponse, error)
	OpenViewContext(ctx context.Context, triggerID string, view slackgo.ModalViewRequest) (*slackgo.ViewResponse, error)
	OpenConversationContext(ctx context.Context, params *slackgo.OpenConversationParameters) (*slackgo.Channel, bool, bool, error)
}

// Config configures the adapter.
type Config struct {
	BotToken      string
	SigningSecret string
	AppToken      string   // set for Socket Mode
	APIURL        string   // Web API base, e.g. http://127.0.0.1:9000/api/
	Admins        []string // user ids allowed to change daily schedules, besides workspace admins
	Log           *slog.Logger
	// HTTPClient makes every call to Slack (Web API, response_url, Socket
	// Mode); the default keeps enough idle connections per host for bursts.
	HTTPClient *http.Client
}

// Adapter connects the bot to Slack.
type Adapter struct {
	api      slackAPI
	bot      *bot.Bot
	secret   string
	botToken string
	appToken string
	apiURL   string
	admins   map[string]bool
	log      *slog.Logger
	http     *http.Client

	instMu sync.Mutex
	inst   installation // zero until auth.test answered

	// Retry policy of private replies and Socket Mode timing; tests
	// shorten them.
	replyBackoff []time.Duration
	socket       socketTiming

	work bot.Background // work started after an ack

	dmMu sync.Mutex
	dms  map[string]string // user -> the app's DM with them
}

var _ bot.Platform = (*Adapter)(nil)

// New returns an adapter for b and registers it as the "slack" platform.
func New(cfg Config, b *bot.Bot) *Adapter {
	hc := newHTTPClient()
	if cfg.HTTPClient != nil {
		hc = withDraining(cfg.HTTPClient)
	}
	apiURL := cfg.APIURL
	if apiURL == "" {
		apiURL = defaultAPIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/" // slack-go appends the method name
	}
	client := slackgo.New(cfg.BotToken, slackgo.OptionAPIURL(apiURL), slackgo.OptionHTTPClient(hc))
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	admins := map[string]bool{}
	for _, id := range cfg.Admins {
		admins[id] = true
	}
	a := &Adapter{
		api: client, bot: b, secret: cfg.SigningSecret, botToken: cfg.BotToken, appToken: cfg.AppToken,
		apiURL: apiURL, admins: admins, log: log.With("component", "slack"), http: hc,
		replyBackoff: defaultReplyBackoff, socket: defaultSocketTiming,
	}
	b.Register(Name, a)
	return a
}

// background runs fn after the request was acknowledged, for at most d.
func (a *Adapter) background(d time.Duration, fn func(ctx context.Context)) { a.work.Go(d, fn) }

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

// ManagerRule implements bot.ManagerRule.
func (a *Adapter) ManagerRule() string {
	return "workspace admins and owners, the people listed in the server's ASYNCQUIZ_ADMINS"
}
