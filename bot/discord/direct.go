package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// direct makes an interaction-token request (callback, @original edit)
// without discordgo's rate limiter. That limiter puts every webhook edit of
// every interaction in one bucket and holds its lock for the whole
// request, so replies went out one at a time (1,000 replies at 20 ms took
// 21 s over 2 connections), and it keeps a bucket per URL forever, which a
// per-interaction URL would grow without end. Interaction endpoints are
// outside Discord's global limit, and each token is its own route; a 429
// still comes back as discordgo's RateLimitError, which withRetry waits
// out.
func (a *Adapter) direct(ctx context.Context, method, url string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", a.s.UserAgent)
	resp, err := a.s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Read to the end so the connection goes back to the pool.
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return out, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		var tmr discordgo.TooManyRequests
		if json.Unmarshal(out, &tmr) == nil {
			return nil, &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &tmr, URL: url}}
		}
	}
	re := &discordgo.RESTError{Request: req, Response: resp, ResponseBody: out}
	var msg discordgo.APIErrorMessage
	if json.Unmarshal(out, &msg) == nil {
		re.Message = &msg
	}
	return nil, re
}
