package console_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// A player who answers every drill question of the real bank with the same
// letter scores about what blind guessing scores: no letter is a strategy.
// The seed is fixed, so the drill's questions and orders are too.
func TestConsole_SameLetterScoresChance(t *testing.T) {
	bank, err := questions.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	const n = quiz.MaxDrillCount
	score := regexp.MustCompile(`You got (\d+) of (\d+) right`)
	total, right := 0, 0
	for _, letter := range []string{"A", "B", "C"} { // every question has at least three
		for seed := uint64(1); seed <= 2; seed++ {
			clk := quiztest.NewClock(quiztest.Start)
			store := quiztest.OpenStore(t, quiztest.MustOpenSQLite(t), bank, quiz.WithClock(clk.Now), quiz.WithSeed(seed))
			b := bot.New(store, nil)
			var out bytes.Buffer
			script := fmt.Sprintf("/asyncquiz drill %d\n%s", n, strings.Repeat(letter+"\n", n))
			con := console.New(strings.NewReader(script), &out, time.UTC)
			b.Register("console", con)
			ev := bot.Event{Platform: "console", Team: "local", Channel: "terminal", User: "ada", UserName: "ada"}
			if err := con.Run(context.Background(), b, ev); err != nil {
				t.Fatal(err)
			}
			m := score.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no score in the output:\n%s", out.String())
			}
			got, _ := strconv.Atoi(m[1])
			// With 4 or 5 options chance is 20-25%; one run of 50 lies within
			// about ±18 points of it almost always (3 standard deviations).
			if share := float64(got) / n; share > 0.45 {
				t.Errorf("always %s (seed %d) scored %d of %d: a letter beats guessing", letter, seed, got, n)
			}
			total += n
			right += got
		}
	}
	if share := float64(right) / float64(total); share < 0.12 || share > 0.36 {
		t.Fatalf("always pressing one letter scored %.0f%% over %d answers, want near chance (20-33%%)", share*100, total)
	}
	if testing.Verbose() {
		t.Logf("one letter always: %d of %d right (%.0f%%)", right, total, float64(right)*100/float64(total))
	}
}
