package discord

import (
	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/bwmarrin/discordgo"
)

// A bot.Form is a modal (response type 9) with one paragraph text input;
// its submission comes back as a MODAL_SUBMIT interaction (type 5) whose
// custom id is the form's action, and is answered privately like a click.

// Modal limits (components reference).
const (
	maxModalTitle  = 45
	maxInputLabel  = 45
	maxPlaceholder = 100
	maxInputLength = 4000
)

// reasonInput is the custom id of a form's text input.
const reasonInput = "text"

// formLate is the reply when the form could not be shown in time.
const formLate = "That took me too long, so I could not open the form. Please click the button again."

// modal is the response that shows f.
func modal(f bot.Form) *discordgo.InteractionResponse {
	maxLen := maxInputLength
	if f.Max > 0 {
		maxLen = min(f.Max, maxInputLength)
	}
	input := discordgo.TextInput{
		CustomID: reasonInput, Label: truncate(visible(f.Label), maxInputLabel), Style: discordgo.TextInputParagraph,
		Placeholder: truncate(visible(f.Hint), maxPlaceholder), Required: false, MaxLength: maxLen,
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: truncate(f.Action, maxCustomID), Title: truncate(visible(f.Title), maxModalTitle),
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{input}}},
	}}
}

// modalText is the value of the form's text input in a submission ("" when
// the person left it empty, which Discord may send as no value at all).
func modalText(d discordgo.ModalSubmitInteractionData) string {
	for _, c := range d.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok || row == nil {
			continue
		}
		for _, c := range row.Components {
			if in, ok := c.(*discordgo.TextInput); ok && in != nil && in.CustomID == reasonInput {
				return in.Value
			}
		}
	}
	return ""
}
