package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// At most MaxReplies replies run at once; the next caller waits for a
// slot, and a reply that pauses (backing off) frees its slot meanwhile.
func TestBackground_RepliesAreBounded(t *testing.T) {
	var b Background
	release := make(chan struct{})
	var running, peak atomic.Int32
	for range MaxReplies {
		b.Reply(time.Minute, func(ctx context.Context) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			running.Add(-1)
		})
	}
	queued := make(chan struct{})
	go func() {
		b.Reply(time.Minute, func(ctx context.Context) {})
		close(queued)
	}()
	select {
	case <-queued:
		t.Fatalf("reply %d started while %d were running", MaxReplies+1, MaxReplies)
	case <-time.After(50 * time.Millisecond): // it must still be waiting; nothing else can make it start
	}
	close(release)
	select {
	case <-queued:
	case <-time.After(5 * time.Second):
		t.Fatal("a finished reply did not free its slot")
	}
	if p := peak.Load(); p != MaxReplies {
		t.Fatalf("peak %d running, want %d", p, MaxReplies)
	}

	// Every slot held by a reply in its backoff pause: a new reply still runs.
	wake := make(chan struct{})
	for range MaxReplies {
		b.Reply(time.Minute, func(ctx context.Context) {
			b.Pause(ctx, time.Hour)
			<-wake
		})
	}
	ran := make(chan struct{})
	go b.Reply(time.Minute, func(ctx context.Context) { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("replies pausing for a retry kept their slots")
	}
	close(wake)
}
