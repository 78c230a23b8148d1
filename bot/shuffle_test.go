package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/bottest"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// shownLetter is the letter under which m shows the option text.
func shownLetter(t *testing.T, m bot.Message, text string) string {
	t.Helper()
	for _, c := range m.Choices {
		if c.Text == text {
			return c.Letter
		}
	}
	t.Fatalf("%q is not a choice of %q", text, m.Title)
	return ""
}

func choiceTexts(m bot.Message) string {
	var out []string
	for _, c := range m.Choices {
		out = append(out, c.Letter+"="+c.Text)
	}
	return strings.Join(out, ", ")
}

// The round shows one order to everyone; the reveal repeats it and names the
// key by its shown letter; clicks are scored through that order.
func TestBot_ShuffledRound(t *testing.T) {
	h := bottest.NewWithBank(t, quiztest.ShuffledBank())
	var post bot.Message
	// Open rounds until one shows "right" somewhere other than B, so the
	// test tells shown letters from file letters.
	for i := 0; ; i++ {
		h.Do("start 5s core")
		post = h.Platform.Posts()[i].Message
		if shownLetter(t, post, "right") != "B" {
			break
		}
		if i > 20 {
			t.Fatal("20 rounds all showed the key as B: options are not shuffled")
		}
		h.Clock.Add(5 * time.Second)
		h.RunDue()
	}
	right := shownLetter(t, post, "right")
	wrong := shownLetter(t, post, "wrong one")
	wantText(t, h.Click(h.As("U1"), right), "Locked in "+right)
	wantText(t, h.Click(h.As("U2"), wrong), "Locked in "+wrong)
	wantText(t, h.Click(h.As("U2"), right), "You already answered "+wrong)

	h.Clock.Add(5 * time.Second)
	h.RunDue()
	edits := h.Platform.Edits()
	rev := edits[len(edits)-1].Message
	if got, want := choiceTexts(rev), choiceTexts(post); got != want {
		t.Fatalf("reveal shows %s, the round showed %s", got, want)
	}
	text := bottest.Text(rev)
	for _, want := range []string{"Answer: " + right, "1 of 2 got it right", "name-U1"} {
		if !strings.Contains(text, want) {
			t.Fatalf("reveal %q lacks %q", text, want)
		}
	}
	for _, c := range rev.Choices {
		if (c.Text == "right" || c.Text == "wrong one") != strings.HasPrefix(c.Note, "1 (50%)") {
			t.Fatalf("choice %s=%s has note %q; want 1 (50%%) on exactly the two clicked options", c.Letter, c.Text, c.Note)
		}
	}
}

func TestBot_ShuffledDrillFeedbackUsesShownLetters(t *testing.T) {
	h := bottest.NewWithBank(t, quiztest.ShuffledBank())
	card := h.Do("drill 5").Message
	for i := 0; i < 5; i++ {
		right := shownLetter(t, card, "right")
		wrong := shownLetter(t, card, "wrong two")
		r := h.ClickOn(h.Event, card, wrong)
		wantText(t, r, "❌ "+wrong+" is wrong. Answer: "+right)
		card = r.Message
	}
}
