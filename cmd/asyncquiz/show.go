package main

import (
	"io"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/questions"
)

// showQuestion renders q as the terminal adapter shows it in the order of
// seed (as a round with that id would), with the answer, the explanation
// and why each wrong option is wrong.
func showQuestion(w io.Writer, q *questions.Question, seed uint64) error {
	_, err := io.WriteString(w, console.Render(bot.QuestionMessage(q, q.Order(seed), true), time.UTC, time.Now()))
	return err
}
