package main

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/asyncquiz/asyncquiz/bot/slack"
)

func slackCommands() []command {
	return []command{{name: "manifest", summary: "print a Slack app manifest to paste at api.slack.com/apps", run: runSlackManifest}}
}

// runSlackManifest is `asyncquiz slack manifest`.
func runSlackManifest(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("slack manifest", "--url https://quiz.example.com | --socket-mode",
		"Print a Slack app manifest (YAML) for the app's \"From a manifest\" setup.")
	base := fs.String("url", "", "public base URL of `asyncquiz serve` (the app gets /slack/commands and /slack/interactions)")
	socket := fs.Bool("socket-mode", false, "no public URL: Slack connects over Socket Mode (needs SLACK_APP_TOKEN)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if !*socket {
		u, err := url.Parse(*base)
		if *base == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError(fs, "--url must be the public https URL of your server, e.g. --url https://quiz.example.com (or use --socket-mode)")
		}
	}
	_, err := io.WriteString(stdout, slack.Manifest(*base, *socket))
	return err
}

// splitComma splits a comma-separated list, dropping spaces and empty
// items (ASYNCQUIZ_ADMINS).
func splitComma(v string) []string {
	var out []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// commaList is a flag holding a comma-separated list.
type commaList struct{ dst *[]string }

func (l commaList) String() string {
	if l.dst == nil {
		return ""
	}
	return strings.Join(*l.dst, ",")
}
func (l commaList) Set(s string) error { *l.dst = splitComma(s); return nil }
