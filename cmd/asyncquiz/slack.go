package main

import (
	"errors"
)

// slackConfigured reports whether any Slack setting is present.
func (c *config) slackConfigured() bool {
	return c.SlackBot != "" || c.SlackSigning != "" || c.SlackApp != ""
}

// slackStarter validates the Slack settings and returns the Slack starter.
func (c *config) slackStarter() (platformStarter, error) {
	return nil, errors.New("Slack support is not built yet; run `asyncquiz play` to play in the terminal")
}
