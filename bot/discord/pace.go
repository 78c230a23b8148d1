package discord

import (
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
)

// Pace implements bot.Paced: Discord allows 50 requests per second per bot
// across all routes, and a channel's message routes a handful per few
// seconds; staying under both means no 429 and no invalid-request strikes.
func (a *Adapter) Pace() bot.Pace { return bot.Pace{PerChannel: time.Second, PerSecond: 45} }
