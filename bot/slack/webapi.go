package slack

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/metrics"
)

// defaultAPIURL is Slack's Web API base; SLACK_API_URL replaces it.
const defaultAPIURL = "https://slack.com/api/"

// maxConnsPerHost bounds the connections to one Slack host (hooks.slack.com
// for replies, slack.com for the Web API).
const maxConnsPerHost = 96

// maxDrain bounds how much of a response body is read to let its
// connection be reused; a longer body is not worth keeping the connection.
const maxDrain = 64 << 10

// newHTTPClient is the client for every call to Slack (Web API, response_url,
// apps.connections.open): enough idle connections per host that bursts of
// replies reuse them, and bodies drained on Close so that they can.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// A burst of thousands of replies waits for one of maxConnsPerHost
	// connections instead of opening (and then closing) one per reply.
	t.MaxIdleConns = 2 * maxConnsPerHost
	t.MaxIdleConnsPerHost = maxConnsPerHost
	t.MaxConnsPerHost = maxConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Timeout: 15 * time.Second, Transport: draining{t}}
}

// withDraining makes a caller's client drain bodies too.
func withDraining(c *http.Client) *http.Client {
	if _, ok := c.Transport.(draining); ok {
		return c
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp := *c
	cp.Transport = draining{base}
	return &cp
}

// draining is a RoundTripper whose response bodies read what is left
// (bounded) before closing, which slack-go does not do on errors: an
// undrained body closes its connection instead of returning it to the pool.
type draining struct{ base http.RoundTripper }

func (d draining) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err == nil && resp.Body != nil {
		resp.Body = drainOnClose{resp.Body}
	}
	return resp, err
}

type drainOnClose struct{ io.ReadCloser }

func (b drainOnClose) Close() error {
	io.Copy(io.Discard, io.LimitReader(b.ReadCloser, maxDrain))
	return b.ReadCloser.Close()
}

// apiError is a Web API call that did not succeed, with its real cause:
// Slack's error code (ok:false), an HTTP status, or a transport error.
type apiError struct {
	Method string
	Code   string // Slack's error, e.g. missing_scope
	Needed string // the scope Slack says is missing
	Status int    // HTTP status when not 200
	Err    error  // transport error (TLS, DNS, refused)
}

func (e *apiError) Error() string {
	switch {
	case e.Code != "" && e.Needed != "":
		return fmt.Sprintf("%s: %s (needs %s)", e.Method, e.Code, e.Needed)
	case e.Code != "":
		return e.Method + ": " + e.Code
	case e.Status != 0:
		return fmt.Sprintf("%s: HTTP %d %s", e.Method, e.Status, http.StatusText(e.Status))
	default:
		return fmt.Sprintf("%s: %v", e.Method, e.Err)
	}
}

func (e *apiError) Unwrap() error { return e.Err }

// authCodes are Slack's answers that no retry can change: the token is
// wrong, revoked, or lacks a scope.
var authCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "missing_scope": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "not_allowed_token_type": true, "no_permission": true,
}

// isAuthError reports whether err is one of authCodes.
func isAuthError(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && authCodes[ae.Code]
}

// call posts form to the Web API method with token as a bearer token and
// decodes the JSON answer into out, turning every failure into an
// apiError. Errors never include the URL (a Socket Mode URL carries a
// ticket) or the token.
func (a *Adapter) call(ctx context.Context, method, token string, form url.Values, out any) error {
	start := time.Now()
	err := a.doCall(ctx, method, token, form, out)
	metrics.ObserveAPI(Name, method, start, err)
	return err
}

func (a *Adapter) doCall(ctx context.Context, method, token string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+method, strings.NewReader(form.Encode()))
	if err != nil {
		return &apiError{Method: method, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.http.Do(req)
	if err != nil {
		return &apiError{Method: method, Err: transportCause(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &apiError{Method: method, Status: resp.StatusCode}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &apiError{Method: method, Err: transportCause(err)}
	}
	var head struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Needed string `json:"needed"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &apiError{Method: method, Err: fmt.Errorf("malformed answer: %w", err)}
	}
	if !head.OK {
		code := head.Error
		if code == "" {
			code = "unknown_error"
		}
		return &apiError{Method: method, Code: code, Needed: head.Needed}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &apiError{Method: method, Err: fmt.Errorf("malformed answer: %w", err)}
		}
	}
	return nil
}

// transportCause strips the URL from a client error (it may carry a
// ticket) and keeps what went wrong: TLS, DNS, refused, timeout.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return fmt.Errorf("TLS: %w", err)
	}
	return err
}
