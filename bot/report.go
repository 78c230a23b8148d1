package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// reportButton is the "Report a problem" button for the question behind
// ref: "q:<question id>" after the answer is known (a reveal, a redo), or
// "d:<drill>:<seq>" on a drill card, which must not show the id.
func reportButton(ref string) *Button { return &Button{Label: "Report a problem", Action: "p:" + ref} }

// reportForm asks for the optional reason.
func reportForm(ref string) Reply {
	return Reply{Form: &Form{
		Title: "Report a problem", Label: "What is wrong with this question? (optional)",
		Hint: "The answer looks wrong on Python 3.13, the wording is unclear, ...", Action: "p:" + ref, Max: quiz.MaxReason,
	}}
}

// reportedQuestion resolves a report reference to its question id.
func (b *Bot) reportedQuestion(ctx context.Context, ev Event, ref string) (string, error) {
	kind, rest, _ := strings.Cut(ref, ":")
	switch kind {
	case "q":
		if _, err := b.store.Question(rest); err != nil {
			return "", err
		}
		return rest, nil
	case "d":
		id, seq, _ := strings.Cut(rest, ":")
		drillID, err1 := strconv.ParseUint(id, 10, 63)
		n, err2 := strconv.Atoi(seq)
		if err1 != nil || err2 != nil {
			break
		}
		q, err := b.store.DrillQuestion(ctx, ev.tenant(), ev.User, drillID, n)
		if err != nil {
			return "", err
		}
		return q.ID, nil
	}
	return "", quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
}

// Submit handles what a person typed into a Form: for now, the reason of a
// report. The reply is private.
func (b *Bot) Submit(ctx context.Context, ev Event, action, text string) Reply {
	if dup, r := b.redelivered(ctx, ev); dup {
		return r
	}
	ref, ok := strings.CutPrefix(action, "p:")
	if !ok {
		return b.errorReply(ev, nil, quiz.Errorf(quiz.EInvalid, "That form is not one of mine."))
	}
	qid, err := b.reportedQuestion(ctx, ev, ref)
	if err != nil {
		return b.errorReply(ev, nil, err)
	}
	first, err := b.store.ReportQuestion(ctx, ev.tenant(), ev.User, qid, text)
	if err != nil {
		return b.errorReply(ev, nil, err)
	}
	b.log.Info("Question reported", "platform", ev.Platform, "team", ev.Team, "question_id", qid, "first", first)
	msg := "Thanks: your report is in. The people who keep the bank review every report; a question several people report is left out of rounds until then."
	if !first {
		msg = "Thanks: you had reported this question already, so your report was updated."
	}
	return textReply(fmt.Sprint(msg))
}
