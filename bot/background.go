package bot

import (
	"context"
	"sync"
	"time"
)

// Background runs work that an adapter starts after acknowledging a
// request, and lets shutdown wait for it.
type Background struct {
	wg      sync.WaitGroup
	once    sync.Once
	pending chan func()   // replies waiting for a runner
	slots   chan struct{} // held by each runner
}

// Private replies: at most MaxReplies run at once (more than the
// connections an adapter keeps to a platform host, so those stay busy),
// and up to replyQueue more wait, so a burst of clicks costs a queued
// reply each, not a goroutine each; the click's handler returns at once.
const (
	MaxReplies = 128
	replyQueue = 8192
)

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

// Reply queues fn to run like Go (its timeout counts from its start), at
// most MaxReplies at a time. Only when replyQueue replies are already
// waiting does the caller wait, for room in the queue.
func (b *Background) Reply(timeout time.Duration, fn func(ctx context.Context)) {
	b.once.Do(func() {
		b.pending = make(chan func(), replyQueue)
		b.slots = make(chan struct{}, MaxReplies)
	})
	b.wg.Add(1)
	b.pending <- func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		fn(ctx)
	}
	b.kick()
}

// kick starts a runner if a slot is free.
func (b *Background) kick() {
	select {
	case b.slots <- struct{}{}:
		go b.run()
	default:
	}
}

// run takes queued replies until none is left, then gives its slot back.
func (b *Background) run() {
	for {
		select {
		case job := <-b.pending:
			job()
			continue
		default:
		}
		<-b.slots
		// A reply queued between the look above and the release found
		// every slot taken: look again, and run it if no one else does.
		if len(b.pending) == 0 {
			return
		}
		select {
		case b.slots <- struct{}{}:
		default:
			return
		}
	}
}

// Pause waits d, or until ctx is done (it then returns false), without
// holding a runner's slot: a reply backing off leaves room for others.
// Only a function run by Reply may call it.
func (b *Background) Pause(ctx context.Context, d time.Duration) bool {
	<-b.slots
	if len(b.pending) > 0 {
		b.kick()
	}
	ok := Sleep(ctx, d)
	b.slots <- struct{}{}
	return ok
}

// Sleep waits d, or until ctx is done (it then returns false).
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
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
