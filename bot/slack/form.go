package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	slackgo "github.com/slack-go/slack"
)

// A bot.Form is a modal: views.open with the click's trigger_id shows it,
// and its view_submission comes back to the interactivity endpoint (HTTP
// or Socket Mode). Slack gives a view_submission no response_url, so the
// reply is shown where the person is looking: the modal is updated to
// show it (response_action "update"), which needs no scope, reaches them
// in any channel (even one the bot posts to without being a member) and
// cannot get lost on its way, since it is the acknowledgement itself.

// formCallback is the callback_id of every modal the adapter opens; a
// submission of any other view is not ours.
const formCallback = "asyncquiz_form"

// The one input of a form modal, by block and action id.
const (
	formBlock = "form"
	formInput = "text"
)

// Block Kit limits of modals and their inputs.
const (
	maxModalTitle  = 24
	maxModalButton = 24
	maxInputLabel  = 2000
	maxPlaceholder = 150
	maxInputLength = 3000
	maxMetadata    = 3000
	maxModalBlocks = 100
)

// triggerLife is how long Slack honours a trigger_id after the click.
const triggerLife = 3 * time.Second

// formFailed is the private reply when the form could not be opened.
const formFailed = "I could not open the form in time. Please click the button again."

// formMeta travels in the view's private_metadata: what the submission is
// for and where the form was opened (a view_submission names no channel).
type formMeta struct {
	Action  string `json:"a"`
	Channel string `json:"c,omitempty"`
	Title   string `json:"t,omitempty"`
}

// plain is a plain_text object of one line (Slack shows plain text as
// written: no escaping), cut to limit.
func plain(text string, limit int) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, truncate(strings.Join(strings.Fields(text), " "), limit), false, false)
}

// formView renders f as a modal with one optional multi-line text input.
func formView(f bot.Form, channel string) (slackgo.ModalViewRequest, error) {
	meta, err := json.Marshal(formMeta{Action: f.Action, Channel: channel, Title: f.Title})
	if err != nil {
		return slackgo.ModalViewRequest{}, fmt.Errorf("encode form metadata: %w", err)
	}
	if len(meta) > maxMetadata {
		return slackgo.ModalViewRequest{}, errors.New("form metadata too long")
	}
	var placeholder *slackgo.TextBlockObject
	if f.Hint != "" {
		placeholder = plain(f.Hint, maxPlaceholder)
	}
	el := slackgo.NewPlainTextInputBlockElement(placeholder, formInput)
	el.Multiline = true
	el.MaxLength = maxInputLength
	if f.Max > 0 {
		el.MaxLength = min(f.Max, maxInputLength)
	}
	in := slackgo.NewInputBlock(formBlock, plain(f.Label, maxInputLabel), nil, el)
	in.Optional = true
	return slackgo.ModalViewRequest{
		Type: slackgo.VTModal, Title: plain(f.Title, maxModalTitle), CallbackID: formCallback,
		Submit: plain("Send", maxModalButton), Close: plain("Cancel", maxModalButton),
		PrivateMetadata: string(meta), Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{in}},
	}, nil
}

// openForm shows f as a modal to the person who clicked. The trigger_id
// lasts 3 seconds from the click, so this runs right after the click's
// ack and gives up at the trigger's end.
func (a *Adapter) openForm(ctx context.Context, c click, f bot.Form) error {
	view, err := formView(f, c.channel)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(ctx, c.received.Add(triggerLife))
	defer cancel()
	err = withRetry(ctx, func() error {
		_, err := a.api.OpenViewContext(ctx, c.triggerID, view)
		return err
	})
	if err != nil {
		return fmt.Errorf("views.open: %w", rejected(err))
	}
	return nil
}

// submission is a form's view_submission as the bot needs it.
type submission struct {
	user, userName string
	channel        string // where the form was opened, from the metadata
	action, title  string
	text           string
	// delivery identifies this submission for Event.Delivery: its
	// trigger_id, or the view's id and hash (the submitted state).
	delivery string
	// at is when it reached the server on the store's clock.
	at time.Time
}

// viewSubmission is the part of a view_submission payload the bot reads.
type viewSubmission struct {
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	TriggerID string `json:"trigger_id"`
	View      struct {
		ID              string `json:"id"`
		Hash            string `json:"hash"`
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		State           struct {
			Values map[string]map[string]struct {
				Value *string `json:"value"`
			} `json:"values"`
		} `json:"state"`
	} `json:"view"`
}

// decodeSubmission reads a view_submission payload. ok is false for a
// view this adapter did not open (acknowledge and ignore); err is set for
// one that cannot be real.
func decodeSubmission(data []byte) (s submission, ok bool, err error) {
	var p viewSubmission
	if err := json.Unmarshal(data, &p); err != nil {
		return submission{}, false, errPayload
	}
	if p.View.CallbackID != formCallback {
		return submission{}, false, nil
	}
	var meta formMeta
	if len(p.View.PrivateMetadata) > maxMetadata || json.Unmarshal([]byte(p.View.PrivateMetadata), &meta) != nil {
		return submission{}, false, errPayload
	}
	s = submission{
		user: p.User.ID, channel: meta.Channel, action: meta.Action, title: meta.Title,
		delivery: p.TriggerID,
	}
	if v := p.View.State.Values[formBlock][formInput].Value; v != nil {
		s.text = *v
	}
	if s.delivery == "" {
		// The view's id and hash name the submitted state: a redelivery
		// carries both unchanged.
		s.delivery = "view:" + p.View.ID + ":" + p.View.Hash
	}
	if !validID(s.user) || !validID(p.View.ID) || (s.channel != "" && !validID(s.channel)) ||
		s.action == "" || len(s.action) > maxValue || len(s.title) > maxValue || len(s.text) > maxText ||
		!validToken(p.TriggerID, maxTriggerID) || !validToken(p.View.Hash, maxID) {
		return submission{}, false, errPayload
	}
	s.userName = cleanName(firstNonEmpty(p.User.Name, p.User.Username), s.user)
	return s, true, nil
}

// submit hands a submission to the bot once it is committed and returns
// the acknowledgement's body: the modal updated to show the reply, or,
// for a redelivery, closed (the first delivery's answer showed the reply).
func (a *Adapter) submit(ctx context.Context, s submission) []byte {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), clickDeadline)
	defer cancel()
	var reply bot.Reply
	inst, err := a.installation(ctx)
	if err != nil {
		a.log.Error("auth.test failed; form not submitted", "channel", s.channel, "error", err)
		reply = bot.Reply{Message: bot.Message{Text: notInstalled}}
	} else {
		ev := bot.Event{Platform: Name, Team: inst.Tenant, Channel: s.channel, User: s.user, UserName: s.userName,
			Delivery: s.delivery, Received: s.at}
		reply = a.bot.Submit(ctx, ev, s.action, s.text)
	}
	body, err := submitResponse(reply, s.title)
	if err != nil {
		a.log.Error("Encode form reply", "error", err)
		body = []byte(`{"response_action":"clear"}`)
	}
	return body
}

// submitResponse is the acknowledgement of a submission that shows r.
func submitResponse(r bot.Reply, title string) ([]byte, error) {
	if r.Duplicate {
		return json.Marshal(slackgo.NewClearViewSubmissionResponse())
	}
	if title == "" {
		title = "asyncquiz"
	}
	blocks := Blocks(r.Message)
	if len(blocks) > maxModalBlocks {
		blocks = blocks[:maxModalBlocks]
	}
	view := slackgo.ModalViewRequest{
		Type: slackgo.VTModal, Title: plain(title, maxModalTitle), Close: plain("Close", maxModalButton),
		Blocks: slackgo.Blocks{BlockSet: blocks},
	}
	return json.Marshal(slackgo.ViewSubmissionResponse{ResponseAction: slackgo.RAUpdate, View: &view})
}
