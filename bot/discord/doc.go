// Package discord is the Discord adapter: it serves POST
// /discord/interactions (or receives interactions over the gateway),
// verifies Discord's Ed25519 signatures, answers within the 3-second window
// and runs the bot. Rounds are bot-authored channel messages with an embed
// and a row of buttons, edited through the REST API at the reveal.
//
// Decisions, with the test that holds each:
//
//   - The gateway client is our own (gateway.go): no intents, resume at
//     resume_gateway_url, a zombie or op 7 closed with 4000 so the session
//     survives, op 9 as Discord says, 4004/4014 fatal naming
//     DISCORD_BOT_TOKEN (gateway_test.go, over a fake gateway on real
//     websockets). No zlib-stream: with no intents the gateway carries only
//     heartbeats and interactions.
//   - A channel message carries nonce + enforce_nonce from Message.Key; a
//     retry first looks for the bot's message with the same buttons among
//     the channel's last 50 (rest_test.go).
//   - A redelivered interaction (same id) does nothing: over the gateway it
//     gets no callback at all; over HTTP, which must answer, a click gets
//     type 6 (DEFERRED_UPDATE_MESSAGE: acknowledged, nothing changes) and a
//     command its deferred response again, which the first delivery's edit
//     of @original fills (input_test.go).
//   - Rounds may be posted in threads and forum posts: the invite asks for
//     Send Messages in Threads, a command where the bot may not post is
//     refused at once and privately, and a reveal in a thread that
//     archived itself unarchives it first; a locked thread is refused
//     (payloads_test.go, rest_test.go).
//   - asyncquiz lives in servers it is installed in: commands in DMs, group
//     DMs through a user install and servers without the bot get a private
//     refusal; in a DM only the buttons of a reminder act (for their server).
//   - A bot.Form is a modal (response type 9); its MODAL_SUBMIT (type 5)
//     is answered privately like a click (report_test.go). The "Report a
//     problem" button has a row of its own: five answers fill a row.
//   - Redo reminders are DMs. A DM interaction names no server, so a DM's
//     buttons and forms carry it in their custom id with a MAC over server
//     and person (dm.go, dm_test.go).
//   - Every text from the bank or from people is escaped for Discord
//     markdown, display names are cut to one line of 32 characters without
//     controls, and allowed_mentions is empty (render_test.go).
package discord

// Name is the platform's name in the bot and in every stored row.
const Name = "discord"
