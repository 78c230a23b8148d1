package bot

import (
	"context"
	"sync"
	"time"
)

// Paced is implemented by platforms with published rate limits: the bot
// spaces its posts and edits to stay under them rather than collect 429s,
// and a wait delays only its own channel.
type Paced interface {
	Pace() Pace
}

// Pace is a platform's limits as the bot paces them.
type Pace struct {
	PerChannel time.Duration // least time between two writes in one channel
	PerSecond  float64       // writes per second across all channels (0: no limit)
}

// pacer waits until a write may go: the channel's spacing, then a token
// from the platform's bucket. It uses the real clock: it paces real calls.
type pacer struct {
	pace   Pace
	mu     sync.Mutex
	next   map[string]time.Time // channel -> earliest next write
	tokens float64
	last   time.Time
}

func newPacer(p Pace) *pacer {
	return &pacer{pace: p, next: map[string]time.Time{}, tokens: p.PerSecond}
}

// wait blocks until a write in channel may go, or ctx is done.
func (p *pacer) wait(ctx context.Context, channel string) error {
	if p == nil {
		return nil
	}
	for {
		d := p.reserve(channel)
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes the channel's slot and a token if both are free now, or
// says how long to wait.
func (p *pacer) reserve(channel string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if n := p.next[channel]; now.Before(n) {
		return n.Sub(now)
	}
	if p.pace.PerSecond > 0 {
		burst := max(p.pace.PerSecond, 1)
		p.tokens = min(burst, p.tokens+now.Sub(p.last).Seconds()*p.pace.PerSecond)
		p.last = now
		if p.tokens < 1 {
			return time.Duration((1 - p.tokens) / p.pace.PerSecond * float64(time.Second))
		}
		p.tokens--
	}
	if p.pace.PerChannel > 0 {
		p.next[channel] = now.Add(p.pace.PerChannel)
		if len(p.next) > 10000 {
			p.forget(now)
		}
	}
	return 0
}

// forget drops channels whose spacing is over, so the map stays small.
func (p *pacer) forget(now time.Time) {
	for ch, n := range p.next {
		if !now.Before(n) {
			delete(p.next, ch)
		}
	}
}
