package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
)

// MaxRateLimitWaits bounds how often one platform call waits for a rate limit.
const MaxRateLimitWaits = 5

// RetryRateLimited runs call and, while retryAfter recognises its error as a
// rate limit, waits the time the platform asked for (at least minWait) and
// tries again, up to MaxRateLimitWaits times and never past ctx.
func RetryRateLimited(ctx context.Context, platform string, minWait time.Duration,
	retryAfter func(error) (time.Duration, bool), call func() error) error {
	for i := 0; ; i++ {
		err := call()
		wait, limited := retryAfter(err)
		if !limited || i == MaxRateLimitWaits {
			return err
		}
		wait = max(wait, minWait)
		metrics.ObserveRateLimit(platform, wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("rate limited, then %w", ctx.Err())
		case <-t.C:
		}
	}
}
