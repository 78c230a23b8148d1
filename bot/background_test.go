package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// Replies are queued without blocking their caller; at most MaxReplies run
// at once; the caller waits only when replyQueue are already waiting.
func TestBackground_RepliesAreBounded(t *testing.T) {
	var b Background
	release := make(chan struct{})
	var running, peak, done atomic.Int32
	job := func(ctx context.Context) {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		running.Add(-1)
		done.Add(1)
	}
	const n = MaxReplies + replyQueue
	for range n { // none of these may block: the queue holds them
		b.Reply(time.Minute, job)
	}
	quiztest.Eventually(t, "the runners to start", func() bool { return running.Load() == MaxReplies })
	blocked := make(chan struct{})
	go func() {
		b.Reply(time.Minute, job)
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatalf("a reply was queued with %d running and %d waiting", MaxReplies, replyQueue)
	case <-time.After(50 * time.Millisecond): // it must still be waiting: nothing else can let it in
	}
	close(release)
	<-blocked
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Wait(ctx); err != nil {
		t.Fatalf("%d of %d replies ran: %v", done.Load(), n+1, err)
	}
	if done.Load() != n+1 || peak.Load() != MaxReplies {
		t.Fatalf("%d replies ran, at most %d at once; want %d, %d", done.Load(), peak.Load(), n+1, MaxReplies)
	}

	// Every runner's reply pausing for a retry: a new reply still runs.
	wake := make(chan struct{})
	for range MaxReplies {
		b.Reply(time.Minute, func(ctx context.Context) {
			b.Pause(ctx, time.Hour)
			<-wake
		})
	}
	ran := make(chan struct{})
	b.Reply(time.Minute, func(ctx context.Context) { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("replies pausing for a retry kept their slots")
	}
	close(wake)
}
