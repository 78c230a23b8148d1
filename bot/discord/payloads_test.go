package discord

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Interactions in the shapes Discord's documentation gives for each place
// a command can come from, sent signed to the HTTP endpoint: a guild
// channel and a thread post the round there; a DM, a group DM through a
// user install, a server the bot was not added to and a thread where it
// may not post are refused at once, privately, with nothing posted.
func TestPayloads_WhereCommandsComeFrom(t *testing.T) {
	tests := []struct {
		file     string
		postedIn string // the channel the round is posted in
		refusal  []string
	}{
		{file: "guild_start.json", postedIn: "300000000000000001"},
		{file: "thread_start.json", postedIn: "700000000000000001"},
		{file: "dm_start.json", refusal: []string{"server channel"}},
		{file: "group_dm_user_install.json", refusal: []string{"server channel"}},
		{file: "guild_without_bot.json", refusal: []string{"not installed in this server", "oauth2/authorize?client_id=123456"}},
		{file: "thread_start_no_permission.json", refusal: []string{"this thread", "Send Messages in Threads"}},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			h := newHarness(t)
			body, err := os.ReadFile(filepath.Join("testdata", "payloads", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := h.commandBody(string(body))
			if tc.refusal != nil {
				var resp map[string]any
				json.Unmarshal([]byte(got.Raw), &resp)
				if resp["type"] != float64(4) || resp["data"].(map[string]any)["flags"] != float64(64) {
					t.Fatalf("refusal %s, want an ephemeral message", got.Raw)
				}
				wantContains(t, tc.file, got.Raw, tc.refusal...)
				h.a.Wait(t.Context())
				if n := len(h.fake.Calls("POST", "/channels/")); n != 0 {
					t.Fatalf("a refused command posted %d messages", n)
				}
				return
			}
			wantContains(t, tc.file, got.Raw, "Round 1 started")
			if n := h.fake.messageCount(tc.postedIn); n != 1 {
				t.Fatalf("%d messages in %s, want the round", n, tc.postedIn)
			}
		})
	}
}

// A click in the documented guild shape: the answer is counted for the
// member's display name, cut and escaped where it shows.
func TestPayloads_GuildClick(t *testing.T) {
	h := newHarness(t)
	body, _ := os.ReadFile(filepath.Join("testdata", "payloads", "guild_start.json"))
	h.commandBody(string(body))
	channel := "300000000000000001"
	msg := h.fake.lastMessage(channel)
	ids := buttonIDs(t, h.fake.Calls("POST", "/channels/"+channel+"/messages")[0].Body)
	var click map[string]any
	json.Unmarshal(body, &click)
	click["id"], click["type"] = snowflake(99), 3
	click["data"] = map[string]any{"custom_id": ids["C"], "component_type": 2}
	click["message"] = map[string]any{"id": msg, "channel_id": channel, "flags": 0, "type": 0, "content": "",
		"author": map[string]any{"id": botUserID, "username": "asyncquiz", "bot": true}}
	b, _ := json.Marshal(click)
	w := h.post(string(b), nil)
	wantContains(t, "click", w.Body.String(), "Locked in C", `"flags":64`)
	var name string
	h.db.Table("answers").Select("user_name").Scan(&name)
	if name != "Ada **L**" {
		t.Fatalf("stored name %q", name)
	}
}

// A modal submission and a DM click in the shapes Discord's documentation
// gives: the report is stored as written, under the server; the DM click
// (its custom id names the server, as the reminder's does) starts the
// person's redo there.
func TestPayloads_ModalSubmitAndDMClick(t *testing.T) {
	h := newHarness(t)
	body, err := os.ReadFile(filepath.Join("testdata", "payloads", "guild_modal_submit.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := h.post(string(body), nil)
	wantContains(t, "submission", w.Body.String(), "Thanks: your report is in", `"flags":64`)
	var reason, team string
	h.db.Table("reports").Select("reason").Scan(&reason)
	h.db.Table("reports").Select("team").Scan(&team)
	if reason != "The answer looks wrong on 3.13 @everyone" || team != "200000000000000001" {
		t.Fatalf("stored report %q in %q", reason, team)
	}

	body, err = os.ReadFile(filepath.Join("testdata", "payloads", "dm_click.json"))
	if err != nil {
		t.Fatal(err)
	}
	w = h.post(string(body), nil)
	wantContains(t, "DM click", w.Body.String(), "Your redo queue is empty", `"flags":64`)
}
