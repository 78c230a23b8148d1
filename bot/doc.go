// Package bot is the platform-neutral asyncquiz bot. It declares the
// Platform interface the adapters (bot/slack, bot/discord, bot/console)
// implement, and neutral Messages each draws in its own way.
//
// grammar.go is the one command grammar: the text parser (parse.go,
// words.go), help, Discord's command registration and Slack's usage hint
// are all read from it. bot.go, personal.go, daily.go, manage.go and
// report.go turn commands and clicks into quiz calls and render the private
// replies; rounds.go delivers rounds (post, refresh, reveal, retry) with one
// writer per message, paced per platform (pace.go).
package bot
