package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The loadgen's workspace and guild. Ids look like the platforms' own.
const (
	slackTeam    = "TLOADGEN1"
	slackApp     = "ALOADGEN1"
	slackToken   = "xoxb-loadgen-token"
	discordApp   = "100000000000000001"
	discordGuild = "100000000000000002"
	discordToken = "loadgen-bot-token"
)

func channelID(platform string, i int) string {
	if platform == "discord" {
		return strconv.Itoa(200000000000000000 + i)
	}
	return fmt.Sprintf("CLG%07d", i)
}

func userID(platform string, u int) string {
	if platform == "discord" {
		return strconv.Itoa(300000000000000000 + u)
	}
	return fmt.Sprintf("ULG%07d", u)
}

// signer signs requests as Slack (v0 HMAC-SHA256 of "v0:ts:body") and
// Discord (Ed25519 over ts+body) do, with the current time.
type signer struct {
	slackSecret string
	discordKey  ed25519.PrivateKey
}

func (s signer) sign(platform string, r *http.Request, body []byte) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	if platform == "discord" {
		msg := make([]byte, 0, len(ts)+len(body))
		msg = append(append(msg, ts...), body...)
		r.Header.Set("X-Signature-Timestamp", ts)
		r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(s.discordKey, msg)))
		r.Header.Set("Content-Type", "application/json")
		return
	}
	mac := hmac.New(sha256.New, []byte(s.slackSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
}

// slackCommand is the form Slack posts for "/asyncquiz text".
func slackCommand(channel, user, text, responseURL, trigger string) []byte {
	return []byte(url.Values{
		"token": {"legacy-verification-token"}, "team_id": {slackTeam}, "team_domain": {"loadgen"},
		"channel_id": {channel}, "channel_name": {"load-" + channel}, "user_id": {user}, "user_name": {"opener"},
		"command": {"/asyncquiz"}, "text": {text}, "api_app_id": {slackApp}, "is_enterprise_install": {"false"},
		"response_url": {responseURL}, "trigger_id": {trigger},
	}.Encode())
}

type slackClickPayload struct {
	Type string `json:"type"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		TeamID   string `json:"team_id"`
	} `json:"user"`
	APIAppID  string `json:"api_app_id"`
	Token     string `json:"token"`
	Container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	TriggerID string `json:"trigger_id"`
	Team      struct {
		ID     string `json:"id"`
		Domain string `json:"domain"`
	} `json:"team"`
	IsEnterpriseInstall bool `json:"is_enterprise_install"`
	Channel             struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"channel"`
	// Slack echoes the whole message the button is on (-echo).
	Message struct {
		Type   string          `json:"type"`
		User   string          `json:"user"`
		TS     string          `json:"ts"`
		BotID  string          `json:"bot_id"`
		AppID  string          `json:"app_id"`
		Text   string          `json:"text"`
		Team   string          `json:"team"`
		Blocks json.RawMessage `json:"blocks,omitempty"`
	} `json:"message"`
	State       struct{}      `json:"state"`
	ResponseURL string        `json:"response_url"`
	Actions     []slackAction `json:"actions"`
}

type slackAction struct {
	ActionID string `json:"action_id"`
	BlockID  string `json:"block_id"`
	Text     struct {
		Type  string `json:"type"`
		Text  string `json:"text"`
		Emoji bool   `json:"emoji"`
	} `json:"text"`
	Value    string `json:"value"`
	Type     string `json:"type"`
	ActionTS string `json:"action_ts"`
}

// slackClick is the form Slack posts when user clicks button i of m.
func slackClick(m *message, echo bool, user string, i int, responseURL, trigger string) []byte {
	var p slackClickPayload
	p.Type = "block_actions"
	p.User.ID, p.User.Username, p.User.Name, p.User.TeamID = user, "u"+user, "u"+user, slackTeam
	p.APIAppID, p.Token = slackApp, "legacy-verification-token"
	p.Container.Type, p.Container.MessageTS, p.Container.ChannelID = "message", m.Ref, m.Channel
	p.TriggerID = trigger
	p.Team.ID, p.Team.Domain = slackTeam, "loadgen"
	p.Channel.ID, p.Channel.Name = m.Channel, "load-"+m.Channel
	p.Message.Type, p.Message.User, p.Message.TS, p.Message.BotID = "message", "UBOT", m.Ref, "BLOADGEN"
	p.Message.AppID, p.Message.Text, p.Message.Team = slackApp, "A question", slackTeam
	if echo && json.Valid([]byte(m.Echo)) {
		p.Message.Blocks = json.RawMessage(m.Echo)
	}
	p.ResponseURL = responseURL
	a := slackAction{ActionID: fmt.Sprintf("answer:%d", i), BlockID: "answers", Value: m.Actions[i], Type: "button",
		ActionTS: fmt.Sprintf("%.6f", float64(time.Now().UnixMicro())/1e6)}
	a.Text.Type, a.Text.Text, a.Text.Emoji = "plain_text", string(rune('A'+i)), true
	p.Actions = []slackAction{a}
	data, _ := json.Marshal(p)
	return []byte("payload=" + url.QueryEscape(string(data)))
}

// discordMember is a guild member as Discord sends it in an interaction.
func discordMember(user string) map[string]any {
	return map[string]any{
		"user":        map[string]any{"id": user, "username": "u" + user, "discriminator": "0", "global_name": nil},
		"roles":       []string{},
		"permissions": "68608", // view channel, send messages, read history
		"joined_at":   "2024-01-01T00:00:00+00:00",
		"nick":        nil,
	}
}

// discordCommand is the interaction Discord posts for /asyncquiz start.
func discordCommand(channel, user, duration, id, token string) []byte {
	data, _ := json.Marshal(map[string]any{
		"type": 2, "id": id, "application_id": discordApp, "token": token, "version": 1,
		"guild_id": discordGuild, "channel_id": channel, "channel": map[string]any{"id": channel, "type": 0},
		"member": discordMember(user), "locale": "en-US", "guild_locale": "en-US", "app_permissions": "2248473465835073",
		"data": map[string]any{
			"id": "100000000000000009", "name": "asyncquiz", "type": 1, "guild_id": discordGuild,
			"options": []any{map[string]any{"name": "start", "type": 1, "options": []any{
				map[string]any{"name": "duration", "type": 3, "value": duration},
			}}},
		},
	})
	return data
}

// discordClick is the interaction Discord posts when user clicks button i
// of m.
func discordClick(m *message, echo bool, user string, i int, id, token string) []byte {
	var msg any = map[string]any{"id": m.Ref, "channel_id": m.Channel}
	if echo && json.Valid([]byte(m.Echo)) {
		msg = json.RawMessage(m.Echo)
	}
	data, _ := json.Marshal(map[string]any{
		"type": 3, "id": id, "application_id": discordApp, "token": token, "version": 1,
		"guild_id": discordGuild, "channel_id": m.Channel, "channel": map[string]any{"id": m.Channel, "type": 0},
		"member": discordMember(user), "locale": "en-US", "guild_locale": "en-US", "app_permissions": "2248473465835073",
		"message": msg,
		"data":    map[string]any{"custom_id": m.Actions[i], "component_type": 2},
	})
	return data
}
