package slack

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
)

// countingServer serves the fake's routes and counts new TCP connections.
func countingServer(t *testing.T, h *harness) (*httptest.Server, *atomic.Int32) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h.fake.srv.Config.Handler)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// Issue 14.3: calls to Slack reuse their connections. 400 private replies
// 16 at a time open about 16 connections (the default transport keeps 2
// idle per host, so most would open a new one), and 30 posts answered
// 500 with an HTML body (which slack-go does not read) still share one
// connection because bodies are drained before they are closed.
func TestAdapter_CallsReuseConnections(t *testing.T) {
	h := newHarness(t)
	srv, conns := countingServer(t, h)
	a := New(Config{BotToken: "xoxb-test", APIURL: srv.URL + "/api/"}, h.bot) // the default client
	a.replyBackoff = h.a.replyBackoff

	const replies, parallel = 400, 16
	go func() {
		for range replies {
			<-h.fake.responses
		}
	}()
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for range replies {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a.deliver(context.Background(), srv.URL+"/response/r", time.Now(), bot.Reply{Message: bot.Message{Text: "Locked in B."}}, "test", bot.Sleep)
		}()
	}
	wg.Wait()
	// A request dials while waiting for a busy connection and keeps the
	// idle one it gets first, so a few more than parallel can open; the
	// default transport (2 idle per host) opens about 160.
	if n := conns.Load(); n > 2*parallel {
		t.Fatalf("%d replies, %d at a time, opened %d connections", replies, parallel, n)
	}
	t.Logf("%d replies, %d at a time: %d connections", replies, parallel, conns.Load())

	before := conns.Load()
	h.fake.set(func(f *fakeSlack) { f.lostPosts = 30 })
	for range 30 {
		if _, err := a.Post(context.Background(), "C1", bot.Message{Text: "q"}); err == nil {
			t.Fatal("a 500 must be an error")
		}
	}
	if n := conns.Load() - before; n > 2 {
		t.Fatalf("30 failed posts opened %d connections; their bodies are not drained", n)
	}
	t.Logf("30 posts answered 500: %d new connections", conns.Load()-before)
}
