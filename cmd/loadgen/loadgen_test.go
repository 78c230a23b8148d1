package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestTinyLoad runs the whole tool on a little load, end to end: the real
// asyncquiz binary, both fakes, signed clicks on both platforms, and the
// database read afterwards. Every planned click must be recorded exactly
// once, and the repeats answered as repeats.
func TestTinyLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	// 2 rounds x 25 users = 50 first clicks, then 10 repeats.
	args := []string{"-platform", "both", "-rounds", "2", "-users", "25", "-clicks", "60", "-rate", "300",
		"-progress", "off", "-json", "-drain", "20s"}
	if err := run(ctx, args, &out, &errs); err != nil {
		t.Fatalf("loadgen: %v\n%s", err, errs.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	c := rep.Clicks
	want := map[string][2]int{
		"sent": {c.Sent, 60}, "acked": {c.Acked, 60}, "failed": {c.Failed, 0},
		"recorded": {c.Recorded, 50}, "duplicates": {c.Duplicates, 0}, "lost": {c.Lost, 0}, "unexpected": {c.Unexpected, 0},
		"repeat clicks": {c.Repeats, 10}, "locked in": {c.Locked, 50}, "already answered": {c.Already, 10},
		"other replies": {c.Other, 0}, "without reply": {c.NoReply, 0},
		"ack latencies": {rep.AckLatency.N, 60}, "private replies": {rep.PrivateReply.N, 60},
		"rounds":        {rep.Reveals.Rounds, 2},
		"slack posts":   {rep.Platform.Calls["slack chat.postMessage"], 1},
		"discord posts": {rep.Platform.Calls["discord POST /channels/{id}/messages"], 1},
		// 30 Slack clicks and the start command answered through response_url.
		"slack response_url": {rep.Platform.Calls["slack response_url"], 31},
	}
	for name, got := range want {
		if got[0] != got[1] {
			t.Errorf("%s = %d, want %d", name, got[0], got[1])
		}
	}
	if rep.Setup.Database != "sqlite" || rep.Server.PeakRSSMB <= 0 || rep.Server.IdleRSSMB <= 0 {
		t.Errorf("setup/server = %+v %+v, want sqlite and both RSS figures", rep.Setup, rep.Server)
	}
	if rep.Platform.Connections["slack"].Accepted == 0 {
		t.Errorf("no TCP connections counted on the fake Slack: %+v", rep.Platform.Connections)
	}
	if t.Failed() {
		t.Logf("report:\n%s", out.String())
	}
}

// The fakes answer over their limits as the platforms do.
func TestFakeRateLimits(t *testing.T) {
	rec := newRecorder()
	slack := httptest.NewServer(newFakeSlack(rec, "xoxb-t", 0, true))
	defer slack.Close()
	post := func() *http.Response {
		resp, err := http.PostForm(slack.URL+"/api/chat.postMessage", url.Values{"token": {"xoxb-t"}, "channel": {"C1"}, "text": {"hi"}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if r := post(); r.StatusCode != http.StatusOK {
		t.Fatalf("first post: %s", r.Status)
	}
	if r := post(); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Errorf("second post in the same second: %s, Retry-After %q; want 429 and 1", r.Status, r.Header.Get("Retry-After"))
	}

	discord := httptest.NewServer(newFakeDiscord(rec, "tok", 0, true))
	defer discord.Close()
	// 60 at once: the bucket holds 50 and refills 50 a second.
	var last *http.Response
	var body string
	for i := 0; i < 60 && (last == nil || last.StatusCode == http.StatusOK); i++ {
		req, _ := http.NewRequest(http.MethodPost, discord.URL+"/api/v10/channels/123456/messages", strings.NewReader(`{"content":"x"}`))
		req.Header.Set("Authorization", "Bot tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last, body = resp, string(data)
	}
	var tooMany struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	json.Unmarshal([]byte(body), &tooMany)
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || !tooMany.Global || tooMany.RetryAfter <= 0 {
		t.Errorf("60 requests at once: %s %q; want 429 with Retry-After and a global JSON body", last.Status, body)
	}
	if a, b := rec.limited["slack chat.postMessage"], rec.limited["discord POST /channels/{id}/messages"]; a != 1 || b != 1 {
		t.Errorf("429s recorded = %d on Slack, %d on Discord; want 1 each", a, b)
	}
}
