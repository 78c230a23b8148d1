package bottest

import (
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

// textSize is how much text a question puts into a message.
func textSize(q *questions.Question) int {
	n := len(q.Prompt) + len(q.Code) + len(q.Explanation)
	for _, o := range q.Options {
		n += len(o.Text) + len(o.Why)
	}
	return n
}

// Longest returns the question of bank with the most text.
func Longest(bank *questions.Bank) *questions.Question {
	longest := bank.Questions[0]
	for _, q := range bank.Questions {
		if textSize(q) > textSize(longest) {
			longest = q
		}
	}
	return longest
}

// MaxQuestion is a synthetic question at every limit of the format, with
// markup that renderers must escape.
func MaxQuestion() *questions.Question {
	q := &questions.Question{
		ID: "max", Category: "advanced", Difficulty: 3, Tags: []string{"gather"}, Python: "3.11", Kind: "output",
		Prompt:      strings.Repeat("p<&>@everyone ", questions.MaxPrompt/14),
		Code:        strings.Repeat("print('x' * 30) # <&> ``` pad\n", 60)[:questions.MaxCode],
		Answer:      "A",
		Explanation: strings.Repeat("e", questions.MaxExplanation),
	}
	for i := 0; i < 5; i++ {
		q.Options = append(q.Options, questions.Option{
			Text: strings.Repeat(string(rune('a'+i)), questions.MaxOptionText),
			Why:  strings.Repeat("w", questions.MaxWhy),
		})
	}
	return q
}

// Messages returns every message the bot renders for q at its largest: the
// round with a huge answer count, the reveal with 500 long names right, the
// question card with its answer, and the drill card (after feedback) and
// redo card, which carry the "Report a problem" button with the reveal.
func Messages(q *questions.Question) map[string]bot.Message {
	r := quiz.Round{ID: 1 << 62, ClosesAt: time.Now()}
	users := make([]quiz.Answer, 500)
	for i := range users {
		users[i] = quiz.Answer{UserName: strings.Repeat("n", 80)}
	}
	res := quiz.Result{Round: r, Question: q, Counts: make([]int, len(q.Options)), Total: 100000, CorrectUsers: users}
	big := uint64(1) << 62
	return map[string]bot.Message{
		q.ID + " round":  bot.RoundMessage(r, q, 100000),
		q.ID + " reveal": bot.RevealMessage(res),
		q.ID + " card":   bot.QuestionMessage(q, q.Order(1), true),
		q.ID + " drill":  bot.DrillCard(quiz.DrillCard{DrillID: big, Seq: 1 << 30, Count: 1 << 30, Question: q, Order: q.Order(1)}, true),
		q.ID + " redo":   bot.RedoCard(quiz.RedoCard{Question: q, Due: 1 << 30, Order: q.Order(1)}),
	}
}
