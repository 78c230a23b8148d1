// Package discord is the Discord adapter: it serves POST
// /discord/interactions (or receives interactions over the gateway),
// verifies Discord's Ed25519 signatures, answers within the 3-second window
// and runs the bot. Rounds are bot-authored channel messages with an embed
// and a row of buttons, edited through the REST API at the reveal.
package discord

// Name is the platform's name in the bot and in every stored row.
const Name = "discord"
