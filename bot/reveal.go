package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// Reveal retry policy: a failed edit is retried with exponential backoff and
// jitter; after maxRevealAttempts the round is marked failed.
const (
	revealBatch       = 50
	maxRevealAttempts = 8
	baseRetry         = 2 * time.Second
	maxRetry          = 5 * time.Minute
)

// RevealDue claims every round due for its reveal and reveals it. It returns
// how many rounds it revealed. Rounds whose edit fails are retried later.
func (b *Bot) RevealDue(ctx context.Context) (int, error) {
	done := 0
	for {
		rounds, err := b.store.ClaimDue(ctx, quiz.DefaultLease, revealBatch)
		if err != nil {
			return done, err
		}
		for _, r := range rounds {
			if err := b.reveal(ctx, r); err != nil {
				b.log.Error("Reveal failed", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel, "attempt", r.Attempts, "error", err)
				b.deferReveal(ctx, r, err)
				continue
			}
			done++
		}
		// Loop until nothing is claimable: another replica may have won
		// part of this batch, which says nothing about what is left.
		if len(rounds) == 0 {
			return done, nil
		}
	}
}

func (b *Bot) reveal(ctx context.Context, r quiz.Round) error {
	p := b.platform(r.Platform)
	if p == nil {
		return fmt.Errorf("no %s platform configured", r.Platform)
	}
	res, err := b.store.Result(ctx, r)
	if err != nil {
		return err
	}
	m := revealMessage(res)
	if r.MessageRef == "" {
		// The process died between opening the round and posting it.
		_, err = p.Post(ctx, r.Channel, m)
	} else {
		err = p.Edit(ctx, r.Channel, r.MessageRef, m)
	}
	if err != nil {
		return err
	}
	if err := b.store.FinishReveal(ctx, r.ID); err != nil {
		return err
	}
	late := b.now().Sub(r.ClosesAt)
	metrics.RoundsRevealed.WithLabelValues(r.Platform).Inc()
	metrics.RevealLateness.WithLabelValues(r.Platform).Observe(max(late.Seconds(), 0))
	b.log.Info("Round revealed", "round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel,
		"answers", res.Total, "late_seconds", late.Seconds())
	return nil
}

func (b *Bot) deferReveal(ctx context.Context, r quiz.Round, cause error) {
	metrics.Retries.WithLabelValues("reveal").Inc()
	if err := b.store.DeferReveal(context.WithoutCancel(ctx), r, quiz.DefaultLease, backoff(r.Attempts), cause, maxRevealAttempts); err != nil {
		b.log.Error("Defer reveal", roundAttrs(r, "error", err)...)
	}
}

// roundAttrs are the log attributes of every line about a round.
func roundAttrs(r quiz.Round, more ...any) []any {
	return append([]any{"round_id", r.ID, "platform", r.Platform, "team", r.Team, "channel", r.Channel}, more...)
}
