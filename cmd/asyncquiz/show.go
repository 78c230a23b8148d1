package main

import (
	"io"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/questions"
)

// showQuestion renders q as the terminal adapter shows it, with the answer,
// the explanation and why each wrong option is wrong.
func showQuestion(w io.Writer, q *questions.Question) error {
	_, err := io.WriteString(w, console.Render(bot.QuestionMessage(q, true), time.UTC, time.Now()))
	return err
}
