package bot

import (
	"context"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// RefreshEvery is the least time between two edits of a round's message to
// update its answer count, however many clicks arrive.
const RefreshEvery = 3 * time.Second

// SetAfterFunc replaces time.AfterFunc for the answer-count refresh; tests
// use it to run the refresh when they choose.
func (b *Bot) SetAfterFunc(f func(d time.Duration, fn func())) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.afterFunc = f
}

// scheduleRefresh arranges one count refresh for the round unless one is
// already pending.
func (b *Bot) scheduleRefresh(r quiz.Round) {
	b.mu.Lock()
	if b.pending[r.ID] {
		b.mu.Unlock()
		return
	}
	b.pending[r.ID] = true
	after := b.afterFunc
	b.mu.Unlock()
	after(RefreshEvery, func() { b.refresh(r) })
}

// refresh edits the round's message with the current answer count. If the
// round was revealed while the edit was in flight, the edit may have put the
// question back over the reveal, so the reveal is drawn again.
func (b *Bot) refresh(r quiz.Round) {
	b.mu.Lock()
	delete(b.pending, r.ID)
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t := quiz.Tenant{Platform: r.Platform, Team: r.Team}
	cur, err := b.store.Round(ctx, t, r.ID)
	if err != nil || cur.State != quiz.StateOpen || cur.MessageRef == "" {
		return
	}
	p := b.platform(r.Platform)
	q, err := b.store.Question(cur.QuestionID)
	if p == nil || err != nil {
		return
	}
	n, err := b.store.AnswerCount(ctx, r.ID)
	if err != nil {
		b.log.Warn("Count answers", roundAttrs(r, "error", err)...)
		return
	}
	if err := p.Edit(ctx, cur.Channel, cur.MessageRef, roundMessage(cur, q, n)); err != nil {
		b.log.Warn("Refresh answer count", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "error", err)
		return
	}
	after, err := b.store.Round(ctx, t, r.ID)
	if err != nil || after.State != quiz.StateRevealed {
		return // still open, or the reveal in progress edits after us
	}
	res, err := b.store.Result(ctx, after)
	if err == nil {
		err = p.Edit(ctx, after.Channel, after.MessageRef, revealMessage(res))
	}
	if err != nil {
		b.log.Error("Redraw reveal after refresh", roundAttrs(r, "error", err)...)
	}
}
