package bot

import "time"

// Message is a neutral chat message. Adapters render it within their
// platform's limits; nothing in it is platform markup.
type Message struct {
	// Lead comes before everything else: feedback on the previous answer
	// when a drill or redo card replaces itself with the next question.
	Lead  []Section
	Title string
	Text  string // plain text; `backticks` mark inline code
	Code  string // a Python program, shown as a code block
	// Choices are the options of a question, with marks after a reveal.
	Choices  []Choice
	Sections []Section
	Buttons  []Button
	// Deadline, when set, is shown after DeadlineLabel in the reader's time
	// zone where the platform can do that ("Closes", "Reveal"): a label for a
	// time still ahead, so it reads as the future.
	Deadline      time.Time
	DeadlineLabel string
	Footer        string
	// Key, when set, names the message for good ("asyncquiz-round-42"): a
	// post retried after an unknown outcome (a timeout, a lost response)
	// must find the message posted under the key and return its ref rather
	// than post a second one. Adapters carry it in the platform's own way
	// (Slack message metadata, Discord's nonce).
	Key string
	// Report, when set, is the "Report a problem" button: on a reveal,
	// whose answer buttons are gone, and on drill and redo cards. Adapters
	// draw it apart from the answer buttons.
	Report *Button
	// Retry is set when an earlier post under Key may have landed (it
	// timed out, its response was lost, the process died before recording
	// it): the adapter looks for that message first and returns its ref.
	Retry bool
}

// Choice is one option of a question.
type Choice struct {
	Letter   string
	Text     string
	Verbatim bool // program output: show as code, keep line breaks
	Mark     Mark
	Note     string // after a reveal: why it is wrong, or the count
}

// Mark is how a revealed choice is marked.
type Mark int

// Marks.
const (
	MarkNone Mark = iota
	MarkRight
	MarkWrong
)

// Emoji is the mark as the chat adapters draw it ("" for none).
func (m Mark) Emoji() string {
	switch m {
	case MarkRight:
		return "✅ "
	case MarkWrong:
		return "❌ "
	}
	return ""
}

// Section is a headed paragraph (explanation, distribution, results).
type Section struct {
	Heading string
	Text    string
}

// Button is a clickable option. Action is opaque to adapters: they carry it
// in the button's value or custom id and hand it back to Bot.Click.
type Button struct {
	Label  string
	Action string
}

// Reply is the bot's private answer to the person who acted.
type Reply struct {
	Message Message
	// Replace asks the adapter to replace the private message the click came
	// from (drills and redos), rather than adding a new one.
	Replace bool
	// Form, when set, asks the person for text (a modal on Slack and
	// Discord, a prompt in the terminal); what they submit goes to
	// Bot.Submit with the form's Action.
	Form *Form
	// Duplicate is set for a platform's redelivery of a request already
	// handled (same Event.Delivery): nothing was done, and the adapter sends
	// no reply, since the first delivery's reply is on its way.
	Duplicate bool
}

func textReply(text string) Reply { return Reply{Message: Message{Text: text}} }

// Form asks for one line of text.
type Form struct {
	Title  string
	Label  string // what to type
	Hint   string // placeholder
	Action string // handed back to Bot.Submit with the text
	Max    int    // the most characters to accept
}
