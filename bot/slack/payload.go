package slack

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a payload may carry. Slack's ids are a dozen characters;
// the store's columns hold 64.
const (
	maxID          = 64
	maxName        = 80 // runes of a display name kept
	maxTriggerID   = 255
	maxResponseURL = 2000
	maxValue       = 2000 // a button value (Block Kit's own limit)
	maxText        = 4000 // a slash command's text
)

// errPayload is a payload the adapter refuses: it cannot be a real request.
var errPayload = errors.New("malformed payload")

// validID reports whether s looks like a Slack id (team, enterprise,
// channel, user: letters and digits), bounded.
func validID(s string) bool {
	if s == "" || len(s) > maxID {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// validToken: a trigger_id or ts, printable ASCII without spaces, bounded.
func validToken(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func validResponseURL(s string) bool {
	if s == "" || len(s) > maxResponseURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// cleanName makes a display name safe to store and show: valid UTF-8, no
// control, format or bidi characters (which reshape a message), no
// backtick, one line, at most maxName runes. An empty result falls back to fallback.
func cleanName(s, fallback string) string {
	s = strings.ToValidUTF8(s, "")
	var sb strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = sb.Len() > 0
			continue
		case unicode.IsControl(r), unicode.In(r, unicode.Cf), r == utf8.RuneError:
			continue
		}
		if n == maxName {
			break
		}
		if space {
			sb.WriteByte(' ')
			n++
			space = false
		}
		if r == '`' {
			// Shown, a backtick would start inline code: the bot's texts
			// mark code with backticks, so a name keeps a lookalike.
			r = 'ˋ'
		}
		sb.WriteRune(r)
		n++
	}
	if out := strings.TrimSpace(sb.String()); out != "" {
		return out
	}
	return fallback
}

// command is a slash command as the bot needs it, from HTTP or Socket Mode.
type command struct {
	channel, user, userName, text, responseURL, triggerID string
	received                                              time.Time
}

// commandFields reads a command from its fields (form or Socket Mode JSON,
// which carry the same names) and refuses one that cannot be real.
func commandFields(get func(string) string) (command, error) {
	c := command{
		channel: get("channel_id"), user: get("user_id"), text: get("text"),
		responseURL: get("response_url"), triggerID: get("trigger_id"), received: time.Now(),
	}
	if !validID(c.channel) || !validID(c.user) || !validResponseURL(c.responseURL) ||
		!validToken(c.triggerID, maxTriggerID) || len(c.text) > maxText {
		return command{}, errPayload
	}
	c.userName = cleanName(get("user_name"), c.user)
	return c, nil
}

// commandJSON decodes a Socket Mode slash_commands payload.
func commandJSON(data []byte) (command, error) {
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		return command{}, errPayload
	}
	return commandFields(func(k string) string { s, _ := fields[k].(string); return s })
}

// click is a button press as the bot needs it.
type click struct {
	channel, user, userName string
	messageTS               string // the clicked message, when Slack says
	ephemeral               bool
	triggerID, responseURL  string
	value                   string
	received                time.Time // for response_url's window
	// at is when the click reached the server on the store's clock: a
	// click received before the deadline counts.
	at time.Time
}

// blockActions is the part of a block_actions payload the bot reads. The
// echoed message (which can be large) and the team are not decoded: the
// tenant is the installation, never the clicker's team.
type blockActions struct {
	Type string `json:"type"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	Channel *struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	Actions     []struct {
		Value string `json:"value"`
	} `json:"actions"`
}

// decodeInteraction reads an interaction payload. ok is false for the
// types this app does not use (acknowledge and ignore); err is set for a
// block_actions payload that cannot be real.
func decodeInteraction(data []byte) (c click, ok bool, err error) {
	typ, c, err := decodePayload(data)
	return c, err == nil && typ == "block_actions", err
}

// decodePayload reads an interaction's type and, for block_actions, the
// click, in one pass over the payload (a click carries the whole clicked
// message, and decoding it is most of a click's cost).
func decodePayload(data []byte) (typ string, c click, err error) {
	var p blockActions
	err = json.Unmarshal(data, &p)
	var wrongType *json.UnmarshalTypeError
	switch {
	case err != nil && !errors.As(err, &wrongType):
		return "", click{}, errPayload
	case p.Type != "block_actions":
		// Another type's fields may not fit blockActions; its own
		// decoder reads it.
		return p.Type, click{}, nil
	case err != nil || len(p.Actions) == 0:
		return p.Type, click{}, errPayload
	}
	c = click{
		user: p.User.ID, messageTS: p.Container.MessageTS, ephemeral: p.Container.IsEphemeral,
		triggerID: p.TriggerID, responseURL: p.ResponseURL, value: p.Actions[0].Value, received: time.Now(),
	}
	if p.Channel != nil {
		c.channel = p.Channel.ID
	}
	if c.channel == "" {
		c.channel = p.Container.ChannelID
	}
	if p.Container.Type != "message" {
		c.messageTS = ""
	}
	if !validID(c.channel) || !validID(c.user) || !validResponseURL(c.responseURL) ||
		!validToken(c.triggerID, maxTriggerID) || !validToken(c.messageTS, maxID) || len(c.value) > maxValue {
		return p.Type, click{}, errPayload
	}
	c.userName = cleanName(firstNonEmpty(p.User.Name, p.User.Username), c.user)
	return p.Type, c, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
