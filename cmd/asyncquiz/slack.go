package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot/slack"
)

// slackConfigured reports whether any Slack setting is present.
func (c *config) slackConfigured() bool {
	return c.SlackBot != "" || c.SlackSigning != "" || c.SlackApp != ""
}

// slackStarter validates the Slack settings and returns the Slack starter.
func (c *config) slackStarter() (platformStarter, error) {
	switch {
	case c.SlackBot == "":
		return nil, errors.New("SLACK_BOT_TOKEN is required for Slack (a bot token, xoxb-...)")
	case !strings.HasPrefix(string(c.SlackBot), "xoxb-"):
		return nil, errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	case c.SlackApp != "" && !strings.HasPrefix(string(c.SlackApp), "xapp-"):
		return nil, errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode)")
	case c.SlackApp == "" && c.SlackSigning == "":
		return nil, errors.New("SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)")
	}
	if c.SlackAPIURL != "" {
		if u, err := url.Parse(c.SlackAPIURL); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("SLACK_API_URL %q is not an absolute URL", c.SlackAPIURL)
		}
	}
	cfg := *c
	return func(ctx context.Context, a *app, mux *http.ServeMux) (func(context.Context) error, error) {
		apiURL := cfg.SlackAPIURL
		if apiURL != "" && !strings.HasSuffix(apiURL, "/") {
			apiURL += "/" // slack-go appends the method name
		}
		ad := slack.New(slack.Config{
			BotToken: string(cfg.SlackBot), SigningSecret: string(cfg.SlackSigning), AppToken: string(cfg.SlackApp),
			APIURL: apiURL, Admins: cfg.Admins, Log: a.log,
		}, a.bot)
		a.onClose(ad.Wait)
		if cfg.SlackApp != "" {
			a.log.Info("Slack: Socket Mode")
			return ad.RunSocketMode, nil
		}
		ad.Routes(mux)
		a.log.Info("Slack: HTTP endpoints /slack/commands and /slack/interactions")
		return nil, nil
	}, nil
}

// runSlack is `asyncquiz slack manifest`.
func runSlack(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "manifest" {
		fmt.Fprintln(stderr, "Usage: asyncquiz slack manifest --url https://quiz.example.com | --socket-mode")
		return errUsage
	}
	fs := flag.NewFlagSet("slack manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "public base URL of `asyncquiz serve` (the app gets /slack/commands and /slack/interactions)")
	socket := fs.Bool("socket-mode", false, "no public URL: Slack connects over Socket Mode (needs SLACK_APP_TOKEN)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if !*socket {
		u, err := url.Parse(*base)
		if *base == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fmt.Fprintln(stderr, "asyncquiz slack manifest: --url must be the public https URL of your server, e.g. --url https://quiz.example.com (or use --socket-mode)")
			return errUsage
		}
	}
	_, err := io.WriteString(stdout, slack.Manifest(*base, *socket))
	return err
}

// adminsFromEnv reads ASYNCQUIZ_ADMINS: user ids, comma-separated.
func adminsFromEnv(getenv env) []string {
	v, _ := getenv("ASYNCQUIZ_ADMINS")
	var out []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
