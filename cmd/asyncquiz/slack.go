package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot/slack"
)

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
