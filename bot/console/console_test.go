package console_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/bot"
	"github.com/asyncquiz/asyncquiz/bot/console"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

func play(t *testing.T, script string) (string, *console.Adapter, *bot.Bot) {
	t.Helper()
	store, _ := quiztest.NewStore(t, quiztest.MustOpenSQLite(t))
	b := bot.New(store, nil)
	var out bytes.Buffer
	con := console.New(strings.NewReader(script), &out, time.UTC)
	b.Register("console", con)
	ev := bot.Event{Platform: "console", Team: "local", Channel: "terminal", User: "ada", UserName: "ada", CanManage: bot.Known(true)}
	if err := con.Run(context.Background(), b, ev); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String(), con, b
}

func wantIn(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Fatalf("output does not contain %q:\n%s", s, out)
		}
	}
}

func TestConsole_DrillScript(t *testing.T) {
	// Every quiztest question's answer is B.
	out, _, _ := play(t, "/asyncquiz drill 3\nB\nA\nB\n/asyncquiz stats\n")
	wantIn(t, out, "Drill 1/3", "Drill 2/3", "Drill 3/3", "✅ B is right.", "❌ A is wrong. Answer: B",
		"You got 2 of 3 right.", "Your asyncquiz stats", "3 answers")
	// The last answer's feedback comes before the summary's header.
	if fb, fin := strings.LastIndex(out, "✅ B is right."), strings.Index(out, "=== Drill finished ==="); fb > fin {
		t.Fatalf("last feedback at %d, after \"Drill finished\" at %d:\n%s", fb, fin, out)
	}
}

func TestConsole_RoundScript(t *testing.T) {
	out, _, _ := play(t, "/asyncquiz start 30s\nb\nc\nZ\n")
	wantIn(t, out, "=== asyncio quiz", "A) ", "Answer with a letter, A to D.", "Locked in B.",
		"You already answered B.", `"Z" is not an option here`)
	if strings.Contains(out, "> ") {
		t.Fatalf("piped play printed a prompt:\n%s", out)
	}
}

func TestConsole_Errors(t *testing.T) {
	out, _, _ := play(t, "A\n/asyncquiz strat\nhello\n")
	wantIn(t, out, "There is nothing to answer right now", `Unknown command "strat". Did you mean "start"?`, `Unknown command "hello"`)
	if strings.Contains(out, "type its letter") {
		t.Fatalf("an answering hint with no question on screen:\n%s", out)
	}
}

// Commands work bare, as a REPL's do, and with the prefix Slack needs in
// any case; a single letter still answers the question on screen.
func TestConsole_BareCommands(t *testing.T) {
	out, _, _ := play(t, "help\n/ASYNCQUIZ help drill\n/stats\nstart 30s\nb\nDRILL 1\nB\nstats\nanswer b\n")
	wantIn(t, out, "=== How to use asyncquiz ===", "=== /asyncquiz drill ===", "No answers yet",
		"Round 1 started", "Locked in B.", "Drill 1/1", "✅ B is right.", "2 answers",
		`Unknown command "answer"`, "To answer the question, type its letter.")
	if strings.Contains(out, "Commands start with /asyncquiz") || strings.Contains(out, "Type a letter to answer") {
		t.Fatalf("a bare command was refused:\n%s", out)
	}
}

func TestRender_Reveal(t *testing.T) {
	m := bot.Message{
		Title: "T", Text: "prompt", Code: "print(1)\n",
		Choices:  []bot.Choice{{Letter: "A", Text: "1\n2", Mark: bot.MarkRight, Note: "3 (75%)"}, {Letter: "B", Text: "x", Mark: bot.MarkWrong, Note: "why"}},
		Sections: []bot.Section{{Heading: "Answer: A", Text: "because"}},
	}
	got := console.Render(m, time.UTC, time.Now())
	want := "=== T ===\nprompt\n\n    print(1)\n\n  ✔ A) 1\n       2\n       3 (75%)\n  ✘ B) x\n       why\n\nAnswer: A\nbecause\n"
	if got != want {
		t.Fatalf("Render=\n%s\nwant\n%s", got, want)
	}
}

// A count refresh keeps the buttons and is not printed; the reveal is, and
// it is what Edits reports.
func TestConsole_EditOnlyPrintsReveals(t *testing.T) {
	var out bytes.Buffer
	con := console.New(strings.NewReader(""), &out, time.UTC)
	ref, _ := con.Post(context.Background(), "c", bot.Message{Title: "Q", Buttons: []bot.Button{{Label: "A", Action: "r:1:A"}}})
	out.Reset()
	con.Edit(context.Background(), "c", ref, bot.Message{Title: "Q", Footer: "3 people answered", Buttons: []bot.Button{{Label: "A", Action: "r:1:A"}}})
	if out.Len() != 0 {
		t.Fatalf("count refresh printed %q", out.String())
	}
	select {
	case <-con.Edits():
		t.Fatalf("count refresh reported as a reveal")
	default:
	}
	con.Edit(context.Background(), "c", ref, bot.Message{Title: "Q revealed"})
	wantIn(t, out.String(), "Q revealed")
	select {
	case got := <-con.Edits():
		if got != ref {
			t.Fatalf("Edits=%q, want %q", got, ref)
		}
	default:
		t.Fatalf("reveal not reported")
	}
}

// Times carry the zone, so a reader in another zone (or on a server set to
// UTC) knows what 15:04 means.
func TestWhen_ShowsZone(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		at   time.Time
		want string
	}{
		"ok_soon":     {now.Add(10 * time.Second), "at 13:00:10 CET (in 10s)"},
		"ok_past":     {now.Add(-time.Minute), "at 12:59:00 CET"},
		"ok_tomorrow": {now.Add(24 * time.Hour), "at Thu Nov 19 13:00 CET (in 1d0h)"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := console.When(tc.at, cet, now); got != tc.want {
				t.Fatalf("When=%q, want %q", got, tc.want)
			}
		})
	}
}

// A piped line of any length is read: one over 4 KiB (here 100 KiB, past
// bufio.Scanner's 64 KiB) is refused without aborting the run or being
// echoed, and a long token is echoed clipped.
func TestConsole_LongLines(t *testing.T) {
	huge := strings.Repeat("x", 100<<10)
	out, _, _ := play(t, huge+"\n/asyncquiz "+huge+"\nstart "+strings.Repeat("y", 3000)+"\n"+strings.Repeat("z", 3000)+"\nstats\nhelp")
	wantIn(t, out, "That line is too long", "I don't understand", "Unknown command", "No answers yet", "How to use asyncquiz")
	if n := strings.Count(out, "That line is too long"); n != 2 {
		t.Fatalf("%d refusals, want 2:\n%.2000s", n, out)
	}
	for _, c := range []string{"x", "y", "z"} {
		if strings.Contains(out, strings.Repeat(c, 41)) {
			t.Fatalf("output echoes a long run of %s:\n%.2000s", c, out)
		}
	}
}

// quit and exit (any case, with or without the prefix) end Run with
// ErrQuit; nothing after them runs.
func TestConsole_Quit(t *testing.T) {
	for _, word := range []string{"quit", "Exit", "/asyncquiz QUIT", "/exit"} {
		t.Run(word, func(t *testing.T) {
			store, _ := quiztest.NewStore(t, quiztest.MustOpenSQLite(t))
			b := bot.New(store, nil)
			var out bytes.Buffer
			con := console.New(strings.NewReader("help\n"+word+"\nstats\n"), &out, time.UTC)
			b.Register("console", con)
			ev := bot.Event{Platform: "console", Team: "local", Channel: "terminal", User: "ada"}
			err := con.Run(context.Background(), b, ev)
			if !errors.Is(err, console.ErrQuit) {
				t.Fatalf("Run=%v, want ErrQuit", err)
			}
			if s := out.String(); !strings.Contains(s, "How to use") || strings.Contains(s, "Your asyncquiz stats") {
				t.Fatalf("output:\n%s", s)
			}
		})
	}
}

// A drill outlives play: quitting mid-drill and playing again shows the
// card the person was on, which the next letter answers; `drill` meanwhile
// says a drill is under way rather than starting over.
func TestConsole_DrillSurvivesRestart(t *testing.T) {
	store, _ := quiztest.NewStore(t, quiztest.MustOpenSQLite(t))
	session := func(script string) (string, error) {
		b := bot.New(store, nil)
		var out bytes.Buffer
		con := console.New(strings.NewReader(script), &out, time.UTC)
		b.Register("console", con)
		ev := bot.Event{Platform: "console", Team: "local", Channel: "terminal", User: "ada", UserName: "ada", CanManage: bot.Known(true)}
		err := con.Run(context.Background(), b, ev)
		return out.String(), err
	}
	if _, err := session("drill 3\nB\nquit\n"); !errors.Is(err, console.ErrQuit) {
		t.Fatalf("first session: %v", err)
	}
	out, err := session("drill 5\nB\nB\n")
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, out, "You have a drill in progress: question 2 of 3.", "Drill 2/3",
		"You are on question 2 of 3 of a drill.", "start over with /asyncquiz drill 5 new.",
		"Drill 3/3", "You got 3 of 3 right.")
	if strings.Index(out, "You have a drill in progress") > strings.Index(out, "You are on question") {
		t.Fatalf("the drill in progress is not shown first:\n%s", out)
	}
	if strings.Contains(out, "Drill 1/5") {
		t.Fatalf("drill 5 started over:\n%s", out)
	}
}

// report on a card asks for a reason on the next line (or takes it on the
// same line) and stores the report once per person and question.
func TestConsole_Report(t *testing.T) {
	out, _, b := play(t, "report\ndrill 2\nB\nreport\nthe wording is unclear\nreport again, shorter\nadmins add @bob\nadmins\n")
	wantIn(t, out, "There is nothing to report yet", "Something wrong with this question? Type report.",
		"What is wrong with this question?", "Thanks: your report is in.", "you had reported this question already",
		"bob may now change", "bob (bob)")
	reps, err := b.Store().Reports(context.Background())
	if err != nil || len(reps) != 1 || reps[0].Open != 1 || !strings.Contains(strings.Join(reps[0].Reasons, "|"), "again, shorter") {
		t.Fatalf("reports = %+v, %v; want one question reported once", reps, err)
	}
}
