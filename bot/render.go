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
	return fmt.Sprintf("asyncio quiz · %s · %s", q.Category, difficultyWord(q.Difficulty))
}

func choices(q *questions.Question) []Choice {
	out := make([]Choice, len(q.Options))
	for i, o := range q.Options {
		out[i] = Choice{Letter: questions.Letter(i), Text: o.Text, Verbatim: verbatim(q)}
	}
	return out
}

func buttons(q *questions.Question, action func(letter string) string) []Button {
	out := make([]Button, len(q.Options))
	for i := range q.Options {
		l := questions.Letter(i)
		out[i] = Button{Label: l, Action: action(l)}
	}
	return out
}

// roundMessage is the public question of a round.
func roundMessage(r quiz.Round, q *questions.Question, answered int) Message {
	return Message{
		Title:         questionTitle(q),
		Text:          q.Prompt,
		Code:          q.Code,
		Choices:       choices(q),
		Buttons:       buttons(q, func(l string) string { return fmt.Sprintf("r:%d:%s", r.ID, l) }),
		Deadline:      r.ClosesAt,
		DeadlineLabel: "Revealed",
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
	q := res.Question
	right := q.AnswerIndex()
	cs := choices(q)
	for i := range cs {
		pct := 0
		if res.Total > 0 {
			pct = res.Counts[i] * 100 / res.Total
		}
		count := fmt.Sprintf("%d (%d%%)", res.Counts[i], pct)
		if i == right {
			cs[i].Mark, cs[i].Note = MarkRight, count
		} else {
			cs[i].Mark, cs[i].Note = MarkWrong, count+" · "+q.Options[i].Why
		}
	}
	return Message{
		Title:   questionTitle(q) + " · revealed",
		Text:    q.Prompt,
		Code:    q.Code,
		Choices: cs,
		Sections: []Section{
			{Heading: "Answer: " + questions.Letter(right), Text: q.Explanation},
			{Heading: "Results", Text: resultLine(res)},
		},
		Footer: fmt.Sprintf("Round %d · wrong answers come back in your /asyncquiz redo queue in 3 days", res.Round.ID),
	}
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

// QuestionMessage renders a question alone, as `questions show` prints it.
func QuestionMessage(q *questions.Question, withAnswer bool) Message {
	m := Message{Title: questionTitle(q) + " · " + q.ID, Text: q.Prompt, Code: q.Code, Choices: choices(q)}
	if withAnswer {
		right := q.AnswerIndex()
		for i := range m.Choices {
			if i == right {
				m.Choices[i].Mark = MarkRight
			} else {
				m.Choices[i].Mark, m.Choices[i].Note = MarkWrong, q.Options[i].Why
			}
		}
		m.Sections = []Section{{Heading: "Answer: " + q.Answer, Text: q.Explanation}}
		m.Footer = fmt.Sprintf("%s · tags: %s · verified on CPython %s+", q.Kind, strings.Join(q.Tags, ", "), q.Python)
	}
	return m
}
