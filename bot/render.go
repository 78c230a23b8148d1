package bot

import (
	"fmt"
	"strings"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// verbatim reports whether a question's options are program output, which
// must keep its line breaks and spacing.
func verbatim(q *questions.Question) bool { return q.Kind == "output" || q.Kind == "timing" }

func questionTitle(q *questions.Question) string {
	return fmt.Sprintf("asyncio quiz · %s · %s", q.Category, questions.DifficultyName(q.Difficulty))
}

// choices lists q's options in the order shown, lettered as shown.
func choices(q *questions.Question, order questions.Order) []Choice {
	out := make([]Choice, len(order))
	for pos, i := range order {
		out[pos] = Choice{Letter: questions.Letter(pos), Text: q.Options[i].Text, Verbatim: verbatim(q)}
	}
	return out
}

// buttons carry the letter as shown; the store maps it back through the
// order it recorded for the round or card.
func buttons(order questions.Order, action func(letter string) string) []Button {
	out := make([]Button, len(order))
	for pos := range order {
		l := questions.Letter(pos)
		out[pos] = Button{Label: l, Action: action(l)}
	}
	return out
}

// markChoices marks the shown choices right or wrong, with a note for each
// (note receives the option's index in the file).
func markChoices(cs []Choice, q *questions.Question, order questions.Order, note func(i int) string) {
	right := q.AnswerIndex()
	for pos, i := range order {
		if i == right {
			cs[pos].Mark = MarkRight
		} else {
			cs[pos].Mark = MarkWrong
		}
		cs[pos].Note = note(i)
	}
}

// roundMessage is the public question of a round.
func roundMessage(r quiz.Round, q *questions.Question, answered int) Message {
	order := r.Order(q)
	return Message{
		Key:           RoundKey(r.ID),
		Title:         questionTitle(q),
		Text:          q.Prompt,
		Code:          q.Code,
		Choices:       choices(q, order),
		Buttons:       buttons(order, func(l string) string { return fmt.Sprintf("r:%d:%s", r.ID, l) }),
		Deadline:      r.ClosesAt,
		DeadlineLabel: "Reveal",
		Footer:        fmt.Sprintf("Round %d · %s answered · pick a letter, only your first answer counts", r.ID, people(answered)),
	}
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// RoundMessage renders a round's question with its current answer count;
// adapters use it to refresh the count.
func RoundMessage(r quiz.Round, q *questions.Question, answered int) Message {
	return roundMessage(r, q, answered)
}

// revealMessage is the edited round message after the deadline: no buttons,
// the answer marked, why each wrong option is wrong, the distribution and
// who got it right.
func revealMessage(res quiz.Result) Message {
	if res.Retired {
		return Message{
			Title:    "asyncio quiz · revealed",
			Text:     "This round's question has been retired from the bank since it was asked, so there is nothing to show. The answers given are kept.",
			Sections: []Section{{Heading: "Results", Text: resultLine(res)}},
			Footer:   fmt.Sprintf("Round %d", res.Round.ID),
		}
	}
	q := res.Question
	order := res.Order
	if len(order) != len(q.Options) {
		order = res.Round.Order(q)
	}
	right := q.AnswerIndex()
	cs := choices(q, order)
	markChoices(cs, q, order, func(i int) string {
		pct := 0
		if res.Total > 0 {
			pct = res.Counts[i] * 100 / res.Total
		}
		count := fmt.Sprintf("%d (%d%%)", res.Counts[i], pct)
		if i == right {
			return count
		}
		return count + " · " + q.Options[i].Why
	})
	sections := []Section{
		{Heading: "Answer: " + order.Shown(right), Text: q.Explanation},
		{Heading: "Results", Text: resultLine(res)},
	}
	if len(res.Milestones) > 0 {
		sections = append(sections, Section{Heading: "Streaks", Text: milestoneLines(res.Milestones)})
	}
	return Message{
		Title:    questionTitle(q) + " · revealed",
		Text:     q.Prompt,
		Code:     q.Code,
		Choices:  cs,
		Sections: sections,
		Report:   reportButton("q:" + q.ID),
		Footer:   fmt.Sprintf("Round %d · wrong answers come back in your /asyncquiz redo queue in 3 days", res.Round.ID),
	}
}

// milestoneLines calls out the daily streaks this round took to a
// milestone, at most maxNamed of them.
func milestoneLines(ms []quiz.Milestone) string {
	var lines []string
	for i, m := range ms {
		if i == maxNamed {
			lines = append(lines, fmt.Sprintf("and %d more", len(ms)-maxNamed))
			break
		}
		what := "daily rounds answered in a row"
		if m.Right {
			what = "daily rounds right in a row"
		}
		lines = append(lines, fmt.Sprintf("🔥 %s: %d %s", displayName(m.UserName, m.UserID), m.Days, what))
	}
	return strings.Join(lines, "\n")
}

// maxNamed is how many right answerers the reveal names before counting.
const maxNamed = 5

func resultLine(res quiz.Result) string {
	if res.Total == 0 {
		return "Nobody answered this time."
	}
	n := len(res.CorrectUsers)
	line := fmt.Sprintf("%d of %d got it right.", n, res.Total)
	if n == 0 {
		return line
	}
	var names []string
	for i, a := range res.CorrectUsers {
		if i == maxNamed {
			break
		}
		names = append(names, displayName(a.UserName, a.UserID))
	}
	line += " First: " + strings.Join(names, ", ")
	if n > maxNamed {
		line += fmt.Sprintf(" and %d more", n-maxNamed)
	}
	return line + "."
}

func displayName(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// RevealMessage renders a round's reveal.
func RevealMessage(res quiz.Result) Message { return revealMessage(res) }

// QuestionMessage renders a question alone, as `questions show` prints it,
// in the order given (a round's, or q.Order(seed) for a preview). With the
// answer, the footer also maps the shown letters to the file's.
func QuestionMessage(q *questions.Question, order questions.Order, withAnswer bool) Message {
	m := Message{Title: questionTitle(q) + " · " + q.ID, Text: q.Prompt, Code: q.Code, Choices: choices(q, order)}
	if withAnswer {
		markChoices(m.Choices, q, order, func(i int) string {
			if i == q.AnswerIndex() {
				return ""
			}
			return q.Options[i].Why
		})
		m.Sections = []Section{{Heading: "Answer: " + order.Shown(q.AnswerIndex()), Text: q.Explanation}}
		var file []string
		for pos, i := range order {
			file = append(file, questions.Letter(pos)+"="+questions.Letter(i))
		}
		m.Footer = fmt.Sprintf("%s · tags: %s · verified on CPython %s+ · shown as %s in the file's letters (answer %s)",
			q.Kind, strings.Join(q.Tags, ", "), q.Python, strings.Join(file, " "), q.Answer)
	}
	return m
}
