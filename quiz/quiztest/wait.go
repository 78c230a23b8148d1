package quiztest

import (
	"testing"
	"time"
)

// Eventually polls cond every couple of milliseconds until it holds, and
// fails tb naming what it waited for if that takes over 10 seconds: work
// done by another goroutine or process is awaited on a condition with a
// deadline, never by a sleep.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
