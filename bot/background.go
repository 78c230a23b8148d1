package bot

import (
	"context"
	"sync"
	"time"
)

// Background runs work that an adapter starts after acknowledging a
// request, and lets shutdown wait for it.
type Background struct {
	wg sync.WaitGroup
}

// Go runs fn in a goroutine with its own context, bounded by timeout: the
// request that started it has already been answered.
func (b *Background) Go(timeout time.Duration, fn func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		fn(ctx)
	}()
}

// Wait blocks until all work has finished or ctx is done.
func (b *Background) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
