// Package slack is the Slack adapter: it serves POST /slack/commands and
// POST /slack/interactions (or Socket Mode), verifies Slack's request
// signatures, acknowledges at once, runs the bot in the background and
// answers privately through response_url. Rounds are Block Kit messages
// posted with chat.postMessage and revealed with chat.update.
package slack

// Name is the platform's name in the bot and in every stored row.
const Name = "slack"
