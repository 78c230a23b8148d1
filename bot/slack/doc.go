// Package slack is the Slack adapter. It serves POST /slack/commands and
// POST /slack/interactions, verifying Slack's request signatures, or runs
// its own Socket Mode client (socket.go); both paths decode the same lean
// payloads (payload.go), acknowledge a command at once and a click once
// its answer is committed, and answer privately through response_url,
// retried within its window (reply.go).
//
// The tenant of everything the bot token receives is its installation
// (install.go), so shared channels score under the channel's installation.
// Rounds are Block Kit messages posted with chat.postMessage, carrying
// their key in message metadata so a retried post finds one that landed
// (post.go), and revealed with chat.update. Text from the bank and from
// people is rendered to read exactly as written (escape.go). A round is
// always a top-level message: slash commands carry no thread.
//
// A bot.Form (the reason of a "Report a problem") is a modal opened with
// the click's trigger_id right after the ack; its view_submission, signed
// like any interaction, is committed before its ack, which updates the
// modal to show the reply (form.go). Redo reminders are DMs opened with
// conversations.open (im:write) and remembered (dm.go).
package slack

// Name is the platform's name in the bot and in every stored row.
const Name = "slack"
