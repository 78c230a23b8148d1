package main

import (
	"context"
	"errors"
	"fmt"
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
	base := fs.String("url", "", "public base `URL` of asyncquiz serve, https:// (the app gets /slack/commands and /slack/interactions)")
	socket := fs.Bool("socket-mode", false, "no public URL: Slack connects over Socket Mode (needs SLACK_APP_TOKEN)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if !*socket {
		if err := manifestURL(*base); err != nil {
			return usageError(fs, "--url %s; it must be the public https:// URL of your server, with no query or fragment, "+
				"e.g. --url https://quiz.example.com (or use --socket-mode)", err)
		}
	}
	_, err := io.WriteString(stdout, slack.Manifest(*base, *socket))
	return err
}

// manifestURL checks the base URL Slack will call: https (Slack refuses
// plain http request URLs), a host, and nothing after the path, since the
// manifest appends /slack/commands and /slack/interactions to it.
func manifestURL(base string) error {
	if base == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", base)
	case u.Scheme != "https":
		return fmt.Errorf("%q is not https://", base)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", base)
	case u.User != nil:
		return fmt.Errorf("%q has a user name or password", base)
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(base, "?"):
		return fmt.Errorf("%q has a query (?...)", base)
	case u.Fragment != "" || strings.Contains(base, "#"):
		return fmt.Errorf("%q has a fragment (#...)", base)
	}
	return nil
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
