package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/metrics"
	slackgo "github.com/slack-go/slack"
)

// Slack accepts up to 5 posts to a response_url within 30 minutes of the
// request (PLATFORMS.md section 5). Every attempt counts as a use, since
// Slack may have applied one whose answer was lost.
const (
	replyUses   = 5
	replyWindow = 30 * time.Minute
	// replyMargin keeps the last attempt clear of the window's end.
	replyMargin = 30 * time.Second
)

// defaultReplyBackoff is the wait before attempts 2-5: a blip, a short
// outage, a longer one.
var defaultReplyBackoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 3 * time.Minute}

// deliver sends a private reply through response_url at least once: it
// retries a transport error, a 5xx or a 429 with backoff, within the
// window and the uses, and gives up on a definite refusal (expired_url,
// used_url, a 4xx). Giving up is logged and counted. A duplicate reply
// (Slack's redelivery of a request already answered) sends nothing. pause
// waits between attempts (false: give up).
func (a *Adapter) deliver(ctx context.Context, responseURL string, received time.Time, r bot.Reply, what string,
	pause func(context.Context, time.Duration) bool) {
	if r.Duplicate {
		return
	}
	body, err := replyBody(r)
	if err != nil {
		a.log.Error("Encode private reply", "kind", what, "error", err)
		return
	}
	deadline := received.Add(replyWindow - replyMargin)
	for attempt := 1; ; attempt++ {
		retryAfter, err := a.postReply(ctx, responseURL, body)
		if err == nil {
			return
		}
		wait := retryAfter
		if attempt-1 < len(a.replyBackoff) {
			wait = max(wait, a.replyBackoff[attempt-1])
		}
		final := retryAfter < 0 || attempt >= replyUses || time.Now().Add(wait).After(deadline)
		if final {
			metrics.RepliesFailed.WithLabelValues(Name).Inc()
			a.log.Error("Private reply given up", "kind", what, "attempts", attempt, "error", err)
			return
		}
		a.log.Warn("Private reply failed; retrying", "kind", what, "attempt", attempt, "wait_seconds", wait.Seconds(), "error", err)
		if !pause(ctx, wait) {
			metrics.RepliesFailed.WithLabelValues(Name).Inc()
			a.log.Error("Private reply given up at shutdown", "kind", what, "attempts", attempt, "error", err)
			return
		}
	}
}

func replyBody(r bot.Reply) ([]byte, error) {
	return json.Marshal(map[string]any{
		"response_type":    "ephemeral",
		"replace_original": r.Replace,
		"text":             Fallback(r.Message),
		"blocks":           slackgo.Blocks{BlockSet: Blocks(r.Message)},
	})
}

// replyTimeout bounds one attempt.
const replyTimeout = 10 * time.Second

// postReply makes one attempt. On failure retryAfter is how long Slack
// asked to wait (0 when it did not say), or negative when retrying cannot
// help.
func (a *Adapter) postReply(ctx context.Context, responseURL string, body []byte) (retryAfter time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, replyTimeout)
	defer cancel()
	start := time.Now()
	defer func() { metrics.ObserveAPI(Name, "response_url", start, err) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return -1, fmt.Errorf("response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("response_url: %w", transportCause(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return time.Duration(secs) * time.Second, fmt.Errorf("response_url: HTTP 429")
	case resp.StatusCode >= 500:
		return 0, fmt.Errorf("response_url: HTTP %d", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return -1, fmt.Errorf("response_url: HTTP %d %s", resp.StatusCode, slackCode(data))
	}
	// 200 with "ok", or JSON {"ok":true}; {"ok":false,"error":"expired_url"}
	// is a refusal, except Slack's own server errors.
	var ans struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &ans) == nil && ans.OK != nil && !*ans.OK {
		if unknownOutcome[ans.Error] {
			return 0, fmt.Errorf("response_url: %s", ans.Error)
		}
		return -1, fmt.Errorf("response_url: %s", ans.Error)
	}
	return 0, nil
}

// slackCode is the error code in a small JSON answer, if any.
func slackCode(data []byte) string {
	var ans struct {
		Error string `json:"error"`
	}
	json.Unmarshal(data, &ans)
	return ans.Error
}
