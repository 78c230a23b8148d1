package main

import (
	"errors"
)

// discordConfigured reports whether any Discord setting is present.
func (c *config) discordConfigured() bool {
	return c.DiscordBot != "" || c.DiscordApp != "" || c.DiscordKey != ""
}

// discordStarter validates the Discord settings and returns the Discord starter.
func (c *config) discordStarter() (platformStarter, error) {
	return nil, errors.New("Discord support is not built yet; run `asyncquiz play` to play in the terminal")
}
