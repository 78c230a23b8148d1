package slack

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// maxBody bounds a request body; Slack's payloads are a few KB.
const maxBody = 64 << 10

// Routes registers the HTTP endpoints on mux.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.handleCommand)
	mux.HandleFunc("POST /slack/interactions", a.handleInteraction)
}

// readBody reads at most maxBody bytes, into one buffer when the request
// says its length (a click is kilobytes: growing the buffer step by step
// was a good part of its garbage).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	if n := r.ContentLength; n > 0 && n <= maxBody {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		var extra [1]byte
		if m, err := body.Read(extra[:]); m > 0 || (err != nil && err != io.EOF) {
			return nil, errors.Join(errors.New("body longer than its Content-Length"), err)
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

// verified reads the body and checks Slack's v0 signature (HMAC-SHA256 of
// "v0:timestamp:body" with the signing secret, timestamp within 5 minutes,
// constant-time compare) before anything is parsed. It writes the error
// response and returns false on failure.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusBadRequest)
		} else {
			http.Error(w, "cannot read body", http.StatusBadRequest)
		}
		return nil, false
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
	if err == nil {
		_, err = sv.Write(body)
	}
	if err == nil {
		err = sv.Ensure()
	}
	if err != nil {
		a.log.Warn("Refused an unsigned or badly signed request", "path", r.URL.Path, "reason", err.Error())
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return nil, false
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		// The trigger_id (Event.Delivery) makes the retry a no-op.
		a.log.Info("Slack retried a request", "path", r.URL.Path, "retry_num", n, "retry_reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	return form, true
}

func (a *Adapter) handleCommand(w http.ResponseWriter, r *http.Request) {
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	c, err := commandFields(form.Get)
	if err != nil {
		http.Error(w, "missing or malformed command fields", http.StatusBadRequest)
		return
	}
	// Ack now with an empty 200; the reply follows through response_url.
	w.WriteHeader(http.StatusOK)
	a.startCommand(c)
}

// commandTimeout bounds running a command; its reply then has the rest of
// response_url's window.
const commandTimeout = 60 * time.Second

// startCommand runs an acknowledged command and delivers its reply.
func (a *Adapter) startCommand(c command) {
	a.background(replyWindow, func(ctx context.Context) {
		reply := a.runCommand(ctx, c)
		a.deliver(ctx, c.responseURL, c.received, reply, "command", bot.Sleep)
	})
}

func (a *Adapter) runCommand(ctx context.Context, c command) bot.Reply {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	inst, err := a.installation(ctx)
	if err != nil {
		a.log.Error("auth.test failed; command not run", "channel", c.channel, "error", err)
		return bot.Reply{Message: bot.Message{Text: notInstalled}}
	}
	ev := bot.Event{Platform: Name, Team: inst.Tenant, Channel: c.channel, User: c.user, UserName: c.userName,
		Delivery:  c.triggerID,
		CanManage: func(ctx context.Context) bool { return a.canManage(ctx, c.user) }}
	return a.bot.CommandText(ctx, ev, c.text)
}

func (a *Adapter) handleInteraction(w http.ResponseWriter, r *http.Request) {
	at := a.now()
	form, ok := a.verified(w, r)
	if !ok {
		return
	}
	payload := []byte(form.Get("payload"))
	typ, c, err := decodePayload(payload)
	if typ == "view_submission" {
		s, ours, err := decodeSubmission(payload)
		if err != nil {
			http.Error(w, "malformed payload", http.StatusBadRequest)
			return
		}
		if !ours {
			w.WriteHeader(http.StatusOK)
			return
		}
		s.at = at
		// The report is committed before the ack, which shows the reply.
		body := a.submit(r.Context(), s)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
		return
	}
	if err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if typ != "block_actions" {
		// Nothing else is configured for this app; acknowledge and ignore.
		w.WriteHeader(http.StatusOK)
		return
	}
	c.at = at
	// The answer is committed before the ack: what the person is told was
	// accepted has been stored. Only the private reply follows the ack.
	reply := a.click(r.Context(), c)
	// The ack goes out now, even if queueing the reply has to wait.
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	a.replyToClick(c, reply)
}

// now is the store's clock, on which deadlines are kept.
func (a *Adapter) now() time.Time { return a.bot.Store().Now() }

// clickDeadline bounds recording a click, well inside Slack's 3 seconds.
const clickDeadline = 2 * time.Second

// click records a button press and returns the private reply; it returns
// once the answer is committed (or refused).
func (a *Adapter) click(ctx context.Context, c click) bot.Reply {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), clickDeadline)
	defer cancel()
	inst, err := a.installation(ctx)
	if err != nil {
		a.log.Error("auth.test failed; click not recorded", "channel", c.channel, "error", err)
		return bot.Reply{Message: bot.Message{Text: notInstalled}}
	}
	ev := bot.Event{
		Platform: Name, Team: inst.Tenant, Channel: c.channel, User: c.user, UserName: c.userName,
		Message: c.messageTS, Delivery: c.triggerID, Received: c.at,
	}
	reply := a.bot.Click(ctx, ev, c.value)
	// Only an ephemeral card (drill, redo) may be replaced; a click on the
	// public round must never overwrite it.
	reply.Replace = reply.Replace && c.ephemeral
	return reply
}

// replyToClick delivers a click's private reply after the ack: a form is
// opened as a modal at once (its trigger_id lasts 3 seconds), and when it
// cannot be, the person is told privately to click again.
func (a *Adapter) replyToClick(c click, reply bot.Reply) {
	a.work.Reply(replyWindow, func(ctx context.Context) {
		if reply.Form != nil && !reply.Duplicate {
			err := a.openForm(ctx, c, *reply.Form)
			if err == nil {
				return
			}
			a.log.Warn("Open form failed", "channel", c.channel, "error", err)
			reply = bot.Reply{Message: bot.Message{Text: formFailed}}
		}
		a.deliver(ctx, c.responseURL, c.received, reply, "click", a.work.Pause)
	})
}
