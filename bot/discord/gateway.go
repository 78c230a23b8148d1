package discord

import (
	"context"
	"errors"
	"fmt"
	"github.com/asyncquiz/asyncquiz/bot"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The gateway client is our own, over gorilla/websocket; discordgo serves
// REST and types. discordgo v0.29's Session closes a zombie connection with
// 1000 (which ends the session, so the resume is refused and the events in
// the gap are lost), ignores resume_gateway_url, identifies again on every
// op 9 without waiting or looking at whether it may resume, sleeps a second
// in every close, retries 4004 (bad token) forever, and tells its caller
// neither when it is connected nor why it is not.

// intents is none at all. Interactions (INTERACTION_CREATE) reach every
// app whatever its intents, and the bot reads no messages, members,
// presences, typing or voice; any intent would only make Discord send
// events of every guild to be thrown away.
const intents = 0

const gatewayQuery = "?v=10&encoding=json"

// Close codes (Discord's gateway docs). Any code but 1000 and 1001 keeps
// the session resumable, so the client uses 4000 for every close it means
// to resume after (a zombie, op 7), and 1000 only when it shuts down.
const (
	closeResumable      = 4000
	closeAuthFailed     = 4004
	closeInvalidSeq     = 4007
	closeSessionTimeout = 4009
	closeDisallowed     = 4014
)

// fatalClose are the codes after which reconnecting cannot help.
var fatalClose = map[int]string{
	4004: "authentication failed", 4010: "invalid shard", 4011: "sharding required",
	4012: "invalid API version", 4013: "invalid intents", 4014: "disallowed intents",
}

// gatewayTiming holds the waits of the client, short in tests.
type gatewayTiming struct {
	reconnect      func(n int) time.Duration // before attempt n after a failure
	invalidSession func() time.Duration      // after op 9 (Discord: 1 to 5 s)
	handshake      time.Duration             // dial, HELLO and READY
}

func defaultGatewayTiming() gatewayTiming {
	return gatewayTiming{
		reconnect: func(n int) time.Duration {
			d := min(time.Second<<min(n-1, 6), time.Minute)
			return d/2 + rand.N(d/2+1)
		},
		invalidSession: func() time.Duration { return time.Second + rand.N(4*time.Second) },
		handshake:      20 * time.Second,
	}
}

// gateway is one bot session: what a resume needs outlives connections.
type gateway struct {
	a         *Adapter
	url       string // from GET /gateway/bot, refetched after a failed dial
	sessionID string
	resumeURL string
	seq       atomic.Int64 // last sequence number received, 0 for none
}

// RunGateway receives interactions over the gateway (no public URL needed)
// until ctx is done. It reports the connection to the bot's transports
// (up on READY and RESUMED, down with the cause), reconnects and resumes
// by itself, and returns an error only when reconnecting cannot help: the
// token or the intents were refused.
func (a *Adapter) RunGateway(ctx context.Context) error {
	tr := a.bot.Transports()
	tr.Register(Name, "gateway")
	g := &gateway{a: a}
	failures := 0
	for {
		ready, err := g.connect(ctx)
		if ctx.Err() != nil {
			tr.Down(Name, "gateway", errors.New("shut down"))
			return nil
		}
		tr.Down(Name, "gateway", err)
		if fatal := fatalError(err); fatal != nil {
			return fatal
		}
		var ce *closeError
		if errors.As(err, &ce) && (ce.code == closeInvalidSeq || ce.code == closeSessionTimeout) {
			g.forget() // Discord ended the session: identify anew
		}
		if ready {
			failures = 0
		}
		failures++
		wait := a.gw.reconnect(failures)
		if errors.Is(err, errReconnect) {
			wait = 0 // Discord asked; it has the resume ready
		}
		if !bot.Sleep(ctx, wait) {
			tr.Down(Name, "gateway", errors.New("shut down"))
			return nil
		}
	}
}

// closeError is a close the gateway sent, with Discord's code.
type closeError struct {
	code int
	text string
}

func (e *closeError) Error() string {
	if name, ok := fatalClose[e.code]; ok {
		return fmt.Sprintf("gateway closed the connection: %d %s", e.code, name)
	}
	return fmt.Sprintf("gateway closed the connection: %d %s", e.code, strings.TrimSpace(e.text))
}

// authError is the token refused over REST (GET /gateway/bot).
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

var (
	errReconnect = errors.New("gateway asked to reconnect (op 7)")
	errZombie    = errors.New("no heartbeat ACK within the interval: the connection is dead")
)

// fatalError turns a cause nothing can fix by reconnecting into the error
// serve stops with, naming the setting to fix; nil otherwise.
func fatalError(err error) error {
	var ce *closeError
	if errors.As(err, &ce) {
		switch ce.code {
		case closeAuthFailed:
			return fmt.Errorf("DISCORD_BOT_TOKEN was refused by the Discord gateway (close %d authentication failed): set the bot token from the Developer Portal's Bot page", ce.code)
		case closeDisallowed:
			return fmt.Errorf("the application of DISCORD_BOT_TOKEN may not use the intents asked for (close %d disallowed intents)", ce.code)
		}
		if name, ok := fatalClose[ce.code]; ok {
			return fmt.Errorf("discord gateway refused the session for DISCORD_BOT_TOKEN's application (close %d %s)", ce.code, name)
		}
	}
	var ae *authError
	if errors.As(err, &ae) {
		return fmt.Errorf("DISCORD_BOT_TOKEN was refused by Discord: %w", ae.err)
	}
	return nil
}

// gatewayURL asks Discord where to connect (GET /gateway/bot), once per
// session, and waits out the session start limit when it is used up.
func (g *gateway) gatewayURL(ctx context.Context) (string, error) {
	if g.url != "" {
		return g.url, nil
	}
	gb, err := g.a.s.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			return "", &authError{fmt.Errorf("GET /gateway/bot: %s", re.Response.Status)}
		}
		return "", fmt.Errorf("get gateway URL: %w", err)
	}
	if l := gb.SessionStartLimit; g.sessionID == "" && l.Total > 0 && l.Remaining == 0 {
		wait := time.Duration(l.ResetAfter) * time.Millisecond
		g.a.log.Warn("Discord session start limit reached; waiting", "wait_seconds", wait.Seconds())
		if !bot.Sleep(ctx, wait) {
			return "", ctx.Err()
		}
	}
	if gb.URL == "" {
		return "", errors.New("get gateway URL: empty url")
	}
	g.url = gb.URL
	return g.url, nil
}

// forget ends the session: the next connection identifies anew.
func (g *gateway) forget() {
	g.sessionID, g.resumeURL = "", ""
	g.seq.Store(0)
}

func (g *gateway) resumable() bool { return g.sessionID != "" && g.resumeURL != "" }

// dispatch hands an interaction to the handlers, off the read loop so
// heartbeats and ACKs keep flowing while a click waits for its commit.
func (g *gateway) dispatch(raw []byte) {
	g.a.work.Go(tokenLife, func(context.Context) { g.a.handleDispatch(raw) })
}
