package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// driver sends the signed requests: start commands, then clicks,
// open-loop (each click leaves at its time, whatever the server does).
type driver struct {
	o      *options
	base   string // the server, http://127.0.0.1:port
	sign   signer
	rec    *recorder
	client *http.Client
	slack  string // the fake Slack's base URL, for response_url
	start  time.Time

	rounds []*message // by round index, once posted
	clicks []click

	sent, acked, failed atomic.Int64
	// Connections the clicks were sent on: dialed, open now, open at most.
	dialed, open, peakOpen atomic.Int64
	bytesSent              atomic.Int64 // click bodies

	mu     sync.Mutex
	errors map[string]int // transport errors and non-200 statuses
}

// click is one click's fate. Each is written by its own goroutine only.
type click struct {
	round, user, button int
	due, sent, acked    time.Duration // since the driver's start; acked 0 = none
	status              int
	deferred            bool  // Discord answered "thinking"; the reply follows by webhook
	inline              reply // Discord's reply in the HTTP response
	repeat              bool  // the user clicked this round before, by plan
}

func newDriver(o *options, base, slackURL string, sign signer, rec *recorder) *driver {
	d := &driver{o: o, base: base, sign: sign, rec: rec, slack: slackURL, errors: map[string]int{}}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		MaxIdleConns: 0, MaxIdleConnsPerHost: 4096, IdleConnTimeout: 90 * time.Second,
		DisableCompression: true, ForceAttemptHTTP2: false,
		// Counted: a server that caps its connections makes clicks beyond
		// the cap wait, so the report says how many the clicks needed.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			d.dialed.Add(1)
			open := d.open.Add(1)
			for peak := d.peakOpen.Load(); open > peak && !d.peakOpen.CompareAndSwap(peak, open); peak = d.peakOpen.Load() {
			}
			return &countedConn{Conn: c, open: &d.open}, nil
		},
	}
	d.client = &http.Client{Transport: tr, Timeout: o.timeout}
	return d
}

// countedConn takes itself off the open count once closed.
type countedConn struct {
	net.Conn
	open   *atomic.Int64
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.open.Add(-1)
	}
	return c.Conn.Close()
}

func (d *driver) platformOf(round int) string {
	switch d.o.platform {
	case "both":
		if round%2 == 1 {
			return "discord"
		}
		return "slack"
	default:
		return d.o.platform
	}
}

func (d *driver) noteError(what string) {
	d.mu.Lock()
	d.errors[what]++
	d.mu.Unlock()
}

// post sends one signed request and returns the status and body.
func (d *driver) post(ctx context.Context, platform, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	d.sign.sign(platform, req, body)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func endpoint(platform string) string {
	if platform == "discord" {
		return "/discord/interactions"
	}
	return "/slack/commands"
}

// openRounds sends one start command per round (each in its own channel)
// and waits until every round's message is posted. With -due-together the
// durations are chosen so every round closes in the same wall-clock second.
func (d *driver) openRounds(ctx context.Context) error {
	n := d.o.rounds
	d.rounds = make([]*message, n)
	target := time.Now().Truncate(time.Second).Add(d.o.roundTime + time.Second)
	interval := time.Duration(float64(time.Second) / d.o.openRate)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	next := time.Now()
	for i := range n {
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		}
		next = next.Add(interval)
		secs := int(math.Round(d.o.roundTime.Seconds()))
		if d.o.dueTogether {
			secs = int(math.Ceil(time.Until(target).Seconds()))
			if secs < 5 {
				return fmt.Errorf("opening %d rounds took past their common deadline; raise -round-time or -open-rate", n)
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := d.startRound(ctx, i, secs); err != nil {
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	return d.waitPosted(ctx)
}

func (d *driver) startRound(ctx context.Context, i, secs int) error {
	p := d.platformOf(i)
	ch := channelID(p, i)
	id := "s" + strconv.Itoa(i)
	text := fmt.Sprintf("start %ds", secs)
	var body []byte
	if p == "discord" {
		body = discordCommand(ch, userID(p, 0), fmt.Sprintf("%ds", secs), strconv.Itoa(400000000000000000+i), id)
	} else {
		body = slackCommand(ch, userID(p, 0), text, d.slack+"/response/"+id, fmt.Sprintf("%d.%d.start", i, time.Now().UnixNano()))
	}
	status, _, err := d.post(ctx, p, endpoint(p), body)
	if err != nil {
		return fmt.Errorf("start command in %s: %w", ch, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("start command in %s: HTTP %d", ch, status)
	}
	return nil
}

// waitPosted waits for every round's message on the fakes and for the
// start command's private reply, which the server sends once the round is
// open for answers (a click between the two would find it still posting).
func (d *driver) waitPosted(ctx context.Context) error {
	deadline := time.After(d.o.openTimeout)
	for {
		changed := d.rec.wait()
		missing := 0
		for i := range d.rounds {
			if d.rounds[i] != nil {
				continue
			}
			p := d.platformOf(i)
			_, replied := d.rec.reply("s" + strconv.Itoa(i))
			if m, posted := d.rec.roundIn(p, channelID(p, i)); posted && replied {
				d.rounds[i] = &m
			} else {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			why := ""
			for i, m := range d.rounds {
				if rp, ok := d.rec.reply("s" + strconv.Itoa(i)); m == nil && ok {
					why = "; the server replied to a start: " + shorten(rp.Text, 300)
					break
				}
			}
			return fmt.Errorf("%d of %d rounds were not posted and confirmed within %v%s", missing, len(d.rounds), d.o.openTimeout, why)
		}
	}
}

// plan lays out the clicks: click k goes to round k mod R, from user
// (k div R) mod N, so every round gets clicks at once and a user clicks a
// round a second time only when there are more clicks than users x rounds.
func (d *driver) plan(total int) {
	d.clicks = make([]click, total)
	interval := float64(time.Second) / d.o.rate
	for k := range d.clicks {
		r := k % d.o.rounds
		u := (k / d.o.rounds) % d.o.users
		c := &d.clicks[k]
		c.round, c.user = r, u
		c.button = (u*7 + r) % len(d.rounds[r].Actions)
		c.due = time.Duration(float64(k) * interval)
		c.repeat = k >= d.o.rounds*d.o.users
	}
}

// run sends every click at its time and waits for their acks.
func (d *driver) run(ctx context.Context) {
	var wg sync.WaitGroup
	d.start = time.Now()
	for k := 0; k < len(d.clicks); {
		now := time.Since(d.start)
		if wait := d.clicks[k].due - now; wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		for ; k < len(d.clicks) && d.clicks[k].due <= now; k++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				d.send(ctx, k)
			}(k)
		}
	}
	wg.Wait()
}

func (d *driver) send(ctx context.Context, k int) {
	c := &d.clicks[k]
	m := d.rounds[c.round]
	p := m.Platform
	user := userID(p, c.user)
	id := "c" + strconv.Itoa(k)
	var body []byte
	if p == "discord" {
		body = discordClick(m, d.o.echo, user, c.button, strconv.Itoa(500000000000000000+k), id)
	} else {
		body = slackClick(m, d.o.echo, user, c.button, d.slack+"/response/"+id, fmt.Sprintf("%d.%d.%x", k, c.user, k*2654435761))
	}
	path := "/slack/interactions"
	if p == "discord" {
		path = "/discord/interactions"
	}
	c.sent = time.Since(d.start)
	d.sent.Add(1)
	d.bytesSent.Add(int64(len(body)))
	status, data, err := d.post(ctx, p, path, body)
	now := time.Since(d.start)
	if err != nil {
		d.failed.Add(1)
		d.noteError(shortErr(err))
		return
	}
	c.status = status
	if status != http.StatusOK {
		d.failed.Add(1)
		d.noteError("HTTP " + strconv.Itoa(status))
		return
	}
	c.acked = now
	d.acked.Add(1)
	if p == "discord" {
		if bytes.Contains(data, []byte(`"type":5`)) {
			c.deferred = true
		} else {
			c.inline = reply{At: d.start.Add(now), Text: string(data)}
		}
	}
}

// expectedReplies counts the acknowledged clicks whose private reply comes
// back through the fakes (Slack's response_url, Discord's deferred edit).
func (d *driver) expectedReplies() int {
	n := 0
	for i := range d.clicks {
		c := &d.clicks[i]
		if c.acked > 0 && (d.rounds[c.round].Platform == "slack" || c.deferred) {
			n++
		}
	}
	return n
}

// drain waits until every acknowledged click has its private reply, or
// the -drain time is up.
func (d *driver) drain(ctx context.Context) {
	want := d.expectedReplies()
	deadline := time.After(d.o.drain)
	for {
		changed := d.rec.wait()
		if d.rec.clickReplyCount() >= want {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-deadline:
			return
		}
	}
}

// waitReveals waits until every round is revealed, or -reveal-wait is up.
func (d *driver) waitReveals(ctx context.Context) {
	deadline := time.After(d.o.revealWait)
	for {
		changed := d.rec.wait()
		if d.rec.revealedCount() >= len(d.rounds) {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-deadline:
			return
		}
	}
}

func shortErr(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "connection reset"):
		return "connection reset"
	}
	return shorten(err.Error(), 80)
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
