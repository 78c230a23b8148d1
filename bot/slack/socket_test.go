package slack

import (
	"sync"
	"testing"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

type recordingAcker struct {
	mu   sync.Mutex
	acks []string
}

func (r *recordingAcker) Ack(req socketmode.Request, _ ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, req.EnvelopeID)
	return nil
}

// Socket Mode envelopes go through the same handling as HTTP requests:
// each is acked at once, then the command or click runs.
func TestAdapter_SocketModeDispatch(t *testing.T) {
	h := newHarness(t)
	ack := &recordingAcker{}
	h.a.dispatch(ack, socketmode.Event{
		Type:    socketmode.EventTypeSlashCommand,
		Request: &socketmode.Request{EnvelopeID: "env-1"},
		Data: slackgo.SlashCommand{TeamID: "T1", ChannelID: "C1", UserID: "U1", UserName: "ada", Command: "/asyncquiz",
			Text: "start 30s", ResponseURL: h.fake.srv.URL + "/response/s1"},
	})
	wantContains(t, "socket start", replyText(h.reply()), "Round 1 started")
	btn := buttons(t, h.fake.Posts()[0].Get("blocks"))

	cb := slackgo.InteractionCallback{
		Type: slackgo.InteractionTypeBlockActions, Team: slackgo.Team{ID: "T1"}, User: slackgo.User{ID: "U2", Name: "bo"},
		Channel:        slackgo.Channel{GroupConversation: slackgo.GroupConversation{Conversation: slackgo.Conversation{ID: "C1"}}},
		ResponseURL:    h.fake.srv.URL + "/response/s2",
		ActionCallback: slackgo.ActionCallbacks{BlockActions: []*slackgo.BlockAction{{ActionID: "answer:1", BlockID: "answers", Value: btn["B"]}}},
	}
	h.a.dispatch(ack, socketmode.Event{Type: socketmode.EventTypeInteractive, Request: &socketmode.Request{EnvelopeID: "env-2"}, Data: cb})
	wantContains(t, "socket click", replyText(h.reply()), "Locked in B")

	ack.mu.Lock()
	defer ack.mu.Unlock()
	if len(ack.acks) != 2 || ack.acks[0] != "env-1" || ack.acks[1] != "env-2" {
		t.Fatalf("acks=%v, want env-1 and env-2", ack.acks)
	}
}
