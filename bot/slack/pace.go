package slack

import (
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
)

// Pace implements bot.Paced: chat.postMessage allows about one message per
// second per channel (short bursts tolerated), and chat.update is paced
// the same way so a channel's reveal never queues behind 429s.
func (a *Adapter) Pace() bot.Pace { return bot.Pace{PerChannel: time.Second} }
