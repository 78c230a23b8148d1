package bot

import (
	"context"
	"sync"
	"time"
)

// Background runs work that an adapter starts after acknowledging a
// request, and lets shutdown wait for it.
type Background struct {
	wg    sync.WaitGroup
	once  sync.Once
	slots chan struct{} // held by each running Reply
}

// MaxReplies is how many private replies run at once: more than the
// connections an adapter keeps to a platform host, so those stay busy,
// and few enough that a burst of clicks costs no memory per click.
const MaxReplies = 256

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

// Reply runs fn like Go, but at most MaxReplies at a time: when all are
// running, the caller waits for one to finish, so a burst of clicks holds
// back its own (already acknowledged) requests instead of growing a
// goroutine and a reply body per click. fn must not call Reply.
func (b *Background) Reply(timeout time.Duration, fn func(ctx context.Context)) {
	b.once.Do(func() { b.slots = make(chan struct{}, MaxReplies) })
	b.slots <- struct{}{}
	b.Go(timeout, func(ctx context.Context) {
		defer func() { <-b.slots }()
		fn(ctx)
	})
}

// Pause waits d, or until ctx is done (it then returns false), without
// holding a reply's slot: a reply backing off leaves room for others. Only
// a function run by Reply may call it.
func (b *Background) Pause(ctx context.Context, d time.Duration) bool {
	<-b.slots
	defer func() { b.slots <- struct{}{} }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
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
