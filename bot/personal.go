package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/asyncquiz/asyncquiz/metrics"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// drillCard renders a drill question with its buttons.
func drillCard(c quiz.DrillCard) Message {
	q := c.Question
	return Message{
		Title:   fmt.Sprintf("Drill %d/%d · %s · %s", c.Seq, c.Count, q.Category, questions.DifficultyName(q.Difficulty)),
		Text:    q.Prompt,
		Code:    q.Code,
		Choices: choices(q, c.Order),
		Buttons: buttons(c.Order, func(l string) string { return fmt.Sprintf("d:%d:%d:%s", c.DrillID, c.Seq, l) }),
		Report:  reportButton(fmt.Sprintf("d:%d:%d", c.DrillID, c.Seq)),
	}
}

// DrillCard renders a drill question with its buttons, as the drill shows
// it; with lead, the feedback on a wrong answer to the same question comes
// first, the one whose explanation is longest (the largest card a drill
// shows).
func DrillCard(c quiz.DrillCard, lead bool) Message {
	m := drillCard(c)
	q := c.Question
	if !lead || q == nil {
		return m
	}
	worst := -1
	for i, o := range q.Options {
		if i != q.AnswerIndex() && (worst < 0 || len(o.Why) > len(q.Options[worst].Why)) {
			worst = i
		}
	}
	if worst >= 0 {
		m.Lead = []Section{feedback(q, c.Order, questions.Letter(worst), false)}
	}
	return m
}

// RedoCard renders a redo question with its buttons.
func RedoCard(c quiz.RedoCard) Message { return redoCard(c) }

// feedback tells whether an answer (a file letter) was right, with the
// explanation and, when wrong, why the chosen option is wrong; letters are
// the ones the card showed.
func feedback(q *questions.Question, order questions.Order, letter string, correct bool) Section {
	shown := order.Shown(q.Index(letter))
	if correct {
		return Section{Heading: fmt.Sprintf("✅ %s is right.", shown), Text: q.Explanation}
	}
	why := ""
	if i := q.Index(letter); i >= 0 {
		why = q.Options[i].Why + " "
	}
	return Section{
		Heading: fmt.Sprintf("❌ %s is wrong. Answer: %s", shown, order.Shown(q.AnswerIndex())),
		Text:    why + q.Explanation,
	}
}

// drill starts a drill, unless one is under way and the person did not say
// new: then it shows the card they are on and how to start over, rather
// than throwing their progress away.
func (b *Bot) drill(ctx context.Context, ev Event, c Command) (Reply, error) {
	if !c.NewDrill {
		cur, err := b.store.ActiveDrill(ctx, ev.tenant(), ev.User)
		switch {
		case err == nil:
			again := "/asyncquiz drill"
			if c.Count != quiz.DefaultDrillCount {
				again += fmt.Sprintf(" %d", c.Count)
			}
			if c.Category != "" {
				again += " " + c.Category
			}
			return drillInProgress(cur, fmt.Sprintf("You are on question %d of %d of a drill.", cur.Seq, cur.Count),
				fmt.Sprintf("Answer it below, or start over with %s new.", again)), nil
		case quiz.ErrorCode(err) != quiz.ENotFound:
			return Reply{}, err
		}
	}
	card, err := b.store.StartDrill(ctx, quiz.DrillInput{Tenant: ev.tenant(), UserID: ev.User, Count: c.Count, Category: c.Category})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Message: drillCard(card)}, nil
}

// DrillInProgress returns the card of ev's drill under way, with a note
// saying so, for an adapter that starts afresh (a restart of play); false
// when there is none. A failure to look is logged and counts as none.
func (b *Bot) DrillInProgress(ctx context.Context, ev Event) (Reply, bool) {
	cur, err := b.store.ActiveDrill(ctx, ev.tenant(), ev.User)
	if err != nil {
		if quiz.ErrorCode(err) != quiz.ENotFound {
			b.log.Warn("Look for a drill under way", "platform", ev.Platform, "team", ev.Team, "error", err)
		}
		return Reply{}, false
	}
	return drillInProgress(cur, fmt.Sprintf("You have a drill in progress: question %d of %d.", cur.Seq, cur.Count),
		"Answer it below, or start over with /asyncquiz drill new."), true
}

// drillInProgress shows a drill's current card under a note.
func drillInProgress(card quiz.DrillCard, heading, text string) Reply {
	m := drillCard(card)
	m.Lead = []Section{{Heading: heading, Text: text}}
	return Reply{Message: m}
}

func (b *Bot) answerDrill(ctx context.Context, ev Event, id, seq, letter string) (Reply, error) {
	drillID, err1 := strconv.ParseUint(id, 10, 64)
	n, err2 := strconv.Atoi(seq)
	if err1 != nil || err2 != nil {
		return Reply{}, quiz.Errorf(quiz.EInvalid, "That button is not one of mine.")
	}
	step, err := b.store.AnswerDrill(ctx, ev.tenant(), ev.User, drillID, n, letter)
	if quiz.ErrorCode(err) == quiz.ENotFound {
		return Reply{}, quiz.Errorf(quiz.ENotFound, "%s Start a new one with /asyncquiz drill.", quiz.ErrorMessage(err))
	}
	if err != nil {
		return Reply{}, err
	}
	metrics.AnswersRecorded.WithLabelValues(ev.Platform, "drill").Inc()
	fb := feedback(step.Question, step.Order, step.Option, step.Correct)
	if step.Next != nil {
		m := drillCard(*step.Next)
		m.Lead = []Section{fb}
		return Reply{Message: m, Replace: true}, nil
	}
	sum := step.Summary
	text := fmt.Sprintf("You got %d of %d right.", sum.Correct, sum.Count)
	if len(sum.Missed) > 0 {
		var tags []string
		for _, t := range sum.Missed {
			tags = append(tags, fmt.Sprintf("%s (%d)", t.Tag, t.Count))
		}
		text += "\nConcepts you missed: " + strings.Join(tags, ", ") +
			".\nThe questions you missed are in your redo queue; they come back in 3 days (/asyncquiz redo)."
	} else {
		text += " Nothing missed. Try a harder category next time."
	}
	return Reply{Replace: true, Message: Message{
		Lead:     []Section{fb},
		Title:    "Drill finished",
		Sections: []Section{{Heading: "Score", Text: text}},
	}}, nil
}

func redoCard(c quiz.RedoCard) Message {
	q := c.Question
	return Message{
		Title:   fmt.Sprintf("Redo · %d due · %s · %s", c.Due, q.Category, questions.DifficultyName(q.Difficulty)),
		Text:    q.Prompt,
		Code:    q.Code,
		Choices: choices(q, c.Order),
		// The order travels in the button: a redo card has no row of its own.
		Buttons: buttons(c.Order, func(l string) string { return "x:" + q.ID + ":" + c.Order.String() + ":" + l }),
		Report:  reportButton("q:" + q.ID),
	}
}

func (b *Bot) redo(ctx context.Context, ev Event, _ Command) (Reply, error) {
	card, err := b.store.NextRedo(ctx, ev.tenant(), ev.User)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Message: redoCard(card)}, nil
}

func (b *Bot) answerRedo(ctx context.Context, ev Event, questionID, order, letter string) (Reply, error) {
	out, err := b.store.AnswerRedo(ctx, ev.tenant(), ev.User, questionID, order, letter)
	if err != nil {
		return Reply{}, err
	}
	metrics.AnswersRecorded.WithLabelValues(ev.Platform, "redo").Inc()
	fb := feedback(out.Question, out.Order, out.Option, out.Correct)
	switch {
	case out.Graduated:
		fb.Text += "\nThis one has graduated from your redo queue."
	case out.Correct:
		fb.Text += fmt.Sprintf("\nIt comes back in %d days.", int(quiz.RedoIntervals[out.Box].Hours()/24))
	default:
		fb.Text += "\nIt comes back in 3 days."
	}
	next, err := b.store.NextRedo(ctx, ev.tenant(), ev.User)
	if err != nil {
		if quiz.ErrorCode(err) != quiz.ENotFound {
			return Reply{}, err
		}
		return Reply{Replace: true, Message: Message{Lead: []Section{fb}, Title: "Redo", Sections: []Section{{Heading: "Done for now", Text: quiz.ErrorMessage(err)}}}}, nil
	}
	m := redoCard(next)
	m.Lead = []Section{fb}
	return Reply{Message: m, Replace: true}, nil
}

func (b *Bot) leaderboard(ctx context.Context, ev Event, c Command) (Reply, error) {
	lb, err := b.store.Leaderboard(ctx, quiz.LeaderboardInput{
		Tenant: ev.tenant(), Period: c.Period, Scope: c.Scope, Channel: ev.Channel, UserID: ev.User,
	})
	if err != nil {
		return Reply{}, err
	}
	title := map[string]string{quiz.PeriodWeek: "this week", quiz.PeriodMonth: "this month", quiz.PeriodQuarter: "this quarter", quiz.PeriodAll: "all time"}[lb.Period]
	where := map[string]string{quiz.ScopeTeam: "whole team", quiz.ScopeChannel: "this channel"}[lb.Scope]
	m := Message{Title: fmt.Sprintf("Leaderboard · %s · %s", title, where)}
	var lines []string
	if len(lb.Top) == 0 {
		lines = append(lines, "No points yet. Start a round with /asyncquiz start.")
	}
	inTop := false
	for _, s := range lb.Top {
		lines = append(lines, standingLine(s))
		inTop = inTop || s.UserID == ev.User
	}
	if lb.Me != nil && !inTop {
		lines = append(lines, "…", standingLine(*lb.Me))
	}
	m.Text = strings.Join(lines, "\n")
	if lb.Me == nil {
		m.Footer = "You have no points in this period yet."
	}
	if len(lb.Previous) > 0 {
		last := map[string]string{quiz.PeriodWeek: "Last week", quiz.PeriodMonth: "Last month", quiz.PeriodQuarter: "Last quarter"}[lb.Period]
		var top []string
		for _, s := range lb.Previous {
			top = append(top, standingLine(s))
		}
		m.Sections = append(m.Sections, Section{Heading: last + "'s top three", Text: strings.Join(top, "\n")})
	}
	m.Footer = strings.TrimSpace(m.Footer + " Points: 1 easy, 2 medium, 3 hard, for your first answer to a question, right, in a channel round; counted at the reveal.")
	return Reply{Message: m}, nil
}

func standingLine(s quiz.Standing) string {
	return fmt.Sprintf("%d. %s: %d pts (%d/%d right)", s.Rank, displayName(s.UserName, s.UserID), s.Points, s.Correct, s.Answers)
}

func (b *Bot) stats(ctx context.Context, ev Event, c Command) (Reply, error) {
	if c.Team {
		return b.teamStats(ctx, ev)
	}
	st, err := b.store.Stats(ctx, ev.tenant(), ev.User)
	if err != nil {
		return Reply{}, err
	}
	m := Message{Title: "Your asyncquiz stats"}
	if st.Overall.Total == 0 {
		m.Text = "No answers yet. Try /asyncquiz drill for a personal practice run."
	} else {
		m.Text = fmt.Sprintf("%d answers (%d in channel rounds), %d%% right. Current streak: %d right in a row (best %d).",
			st.Overall.Total, st.Rounds, st.Overall.Percent(), st.CurrentStreak, st.BestStreak)
		m.Sections = append(m.Sections, Section{Heading: "By category", Text: accuracyLines(st.ByCategory, 0)})
		m.Sections = append(m.Sections, Section{Heading: "By concept (weakest first)", Text: accuracyLines(st.ByTag, 8)})
	}
	if streaks, err := b.store.Streaks(ctx, ev.tenant(), ev.User); err != nil {
		return Reply{}, err
	} else if len(streaks) > 0 {
		var lines []string
		for _, s := range streaks {
			where := ""
			if len(streaks) > 1 {
				where = s.Channel + ": "
			}
			lines = append(lines, fmt.Sprintf("%s%d daily rounds answered in a row (best %d), %d right in a row (best %d)",
				where, s.Answered, s.BestAnswered, s.Right, s.BestRight))
		}
		m.Sections = append(m.Sections, Section{Heading: "Daily quiz streaks", Text: strings.Join(lines, "\n")})
	}
	redo := fmt.Sprintf("%d due now, %d in the queue.", st.Redo.Due, st.Redo.Total)
	if st.Redo.Due > 0 {
		redo += " Run /asyncquiz redo."
	} else if st.Redo.NextDue != nil {
		redo += " Next due " + st.Redo.NextDue.In(b.store.Location()).Format("Mon Jan 2 15:04 MST") + "."
	}
	m.Sections = append(m.Sections, Section{Heading: "Redo queue", Text: redo})
	return Reply{Message: m}, nil
}

func accuracyLines(as []quiz.Accuracy, limit int) string {
	var lines []string
	for i, a := range as {
		if limit > 0 && i == limit {
			lines = append(lines, fmt.Sprintf("… and %d more", len(as)-limit))
			break
		}
		lines = append(lines, fmt.Sprintf("%s: %d%% (%d/%d)", a.Name, a.Percent(), a.Correct, a.Total))
	}
	return strings.Join(lines, "\n")
}
