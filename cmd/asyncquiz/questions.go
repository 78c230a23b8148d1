package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
)

func questionsCommands() []command {
	return []command{
		{name: "lint", summary: "check the bank's format and near-duplicates", run: runQuestionsLint},
		{name: "verify", summary: "run every question on CPython and check its answer", run: runQuestionsVerify},
		{name: "list", summary: "count questions by category, difficulty, kind (and tag)", run: runQuestionsList},
		{name: "show", summary: "print one question as the terminal shows it", run: runQuestionsShow},
		{name: "stats", summary: "per question: asked, right, picks, median time, discrimination, flags", run: runQuestionsStats},
		{name: "reports", summary: "list questions people reported (3+ open reports keep one out of rounds)", run: runQuestionsReports},
		{name: "new", summary: "print a template for a new question", run: runQuestionsNew},
	}
}

// questionsFlags is the flag set of `questions <name>`, with the bank
// flags every questions subcommand takes.
func questionsFlags(name, synopsis, about string) (*flag.FlagSet, *Config) {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("questions "+name, synopsis, about)
	fs.Var(listFlag{&cfg.Questions}, "questions", cfg.flagUsage(fs, "questions", "ASYNCQUIZ_QUESTIONS"))
	fs.StringVar(&cfg.Bank, "bank", "", "a folder of *.yaml files to use instead of the built-in bank (for drafting)")
	return fs, &cfg
}

func runQuestionsLint(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("lint", "[flags]", "Check the bank's format and near-duplicates, and print how fair the answer letters are.")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	return lintQuestions(*cfg, stdout, stderr)
}

func runQuestionsVerify(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("verify", "[--python all|LIST] [flags]", "Run every question (and tip) on CPython and check its answer.")
	return verifyQuestions(ctx, cfg, fs, args, stdout, stderr)
}

func runQuestionsList(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("list", "[--tags] [flags]", "Count questions by category, difficulty and kind (and tag).")
	tags := fs.Bool("tags", false, "also count questions per tag")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	bank, err := cfg.loadBank()
	if err != nil {
		return bankError(err, stderr)
	}
	listQuestions(bank, *tags, stdout)
	return nil
}

func runQuestionsShow(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("show", "ID [--seed N] [flags]", "Print one question as the terminal shows it, with its answer and explanation.")
	seed := fs.Uint64("seed", 1, "show the options in the order a round with this id would")
	if helped, err := parseFlags(fs, idLast(args), stdout, stderr); helped || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "one question id is required")
	}
	q, err := loadQuestion(*cfg, fs.Arg(0), stderr)
	if err != nil {
		return err
	}
	return showQuestion(stdout, q, *seed)
}

func runQuestionsReports(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("reports", "[--resolve ID] [flags]", "List the questions people reported; 3 or more open reports keep one out of rounds.")
	cfg.dbFlag(fs)
	resolve := fs.String("resolve", "", "mark this question's open reports reviewed (it goes back into rounds)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	return reportsQuestions(ctx, *cfg, *resolve, stdout)
}

func runQuestionsStats(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, cfg := questionsFlags("stats", "[--team T] [flags]", "Per question: how often asked and answered right, the picks, the median time, discrimination and flags.")
	cfg.dbFlag(fs)
	team := fs.String("team", "", "one team's statistics (Slack team or enterprise id, Discord guild id); default all teams")
	platform := fs.String("platform", "", "the team's platform, when the id is on several")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	return statsQuestions(ctx, *cfg, *team, *platform, stdout)
}

func runQuestionsNew(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, _ := questionsFlags("new", "[--category C]", "Print a template for a new question, to fill in and then lint and verify.")
	cat := fs.String("category", "core", "category: "+strings.Join(questions.Categories, ", "))
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if !slices.Contains(questions.Categories, *cat) {
		return usageError(fs, "--category %q is not one of %s", *cat, strings.Join(questions.Categories, ", "))
	}
	_, err := fmt.Fprintf(stdout, questionTemplate, *cat, *cat)
	return err
}

// idLast moves the first positional argument to the end, so flags may
// follow the question id ("show ID --seed 3").
func idLast(args []string) []string {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") && (i == 0 || !takesValue(args[i-1])) {
			out := append(append(append([]string{}, args[:i]...), args[i+1:]...), a)
			return out
		}
	}
	return args
}

// loadBank loads the built-in bank (or the --bank folder) plus the extra
// folders.
func (c Config) loadBank() (*questions.Bank, error) {
	if c.Bank != "" {
		if st, err := os.Stat(c.Bank); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--bank %s: not a folder", c.Bank)
		}
		return questions.Load(os.DirFS(c.Bank), c.Questions...)
	}
	return questions.LoadDefault(c.Questions...)
}

// takesValue reports whether flag arg is one whose value follows it.
func takesValue(arg string) bool {
	if strings.Contains(arg, "=") {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	return name == "platform" || name == "seed" || name == "bank" || name == "questions"
}

// loadQuestion loads the bank and returns question id, suggesting close ids.
func loadQuestion(cfg Config, id string, stderr io.Writer) (*questions.Question, error) {
	bank, err := cfg.loadBank()
	if err != nil {
		return nil, bankError(err, stderr)
	}
	q, ok := bank.Get(id)
	if !ok {
		return nil, fmt.Errorf("no question %q%s", id, suggest(bank, id))
	}
	return q, nil
}

// bankError prints every problem of an invalid bank on its own line.
func bankError(err error, stderr io.Writer) error {
	fmt.Fprintln(stderr, err)
	n := strings.Count(err.Error(), "\n") + 1
	return fmt.Errorf("the question bank has %d problem(s)", n)
}

func lintQuestions(cfg Config, stdout, stderr io.Writer) error {
	bank, err := cfg.loadBank()
	if err != nil {
		return bankError(err, stderr)
	}
	fmt.Fprint(stdout, questions.Fair(bank))
	findings := questions.Lint(bank)
	for _, f := range findings {
		fmt.Fprintln(stderr, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%d lint finding(s)", len(findings))
	}
	fmt.Fprintf(stdout, "%d questions, no problems.\n", len(bank.Questions))
	return nil
}

func verifyQuestions(ctx context.Context, cfg *Config, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	spec := fs.String("python", "python3", "interpreters: all (every python3.N, N >= 11, on PATH) or a comma-separated list")
	jobs := fs.Int("jobs", 0, "programs run at once (default: the number of CPUs)")
	timeout := fs.Duration("timeout", 20*time.Second, "time limit per program")
	category := fs.String("category", "", "verify only this category")
	id := fs.String("id", "", "verify only this question")
	tipsOnly := fs.Bool("tips", false, "verify only the tips (tips/*.yaml)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	bank, err := cfg.loadBank()
	if err != nil {
		return bankError(err, stderr)
	}
	var qs []*questions.Question
	for _, q := range bank.Questions {
		if !*tipsOnly && (*category == "" || q.Category == *category) && (*id == "" || q.ID == *id) {
			qs = append(qs, q)
		}
	}
	if *category == "" && (*id == "" || *tipsOnly) {
		qs = append(qs, questions.TipQuestions(bank.Tips)...) // tips are proven like questions
	}
	if len(qs) == 0 {
		return errors.New("no question matches --category/--id")
	}
	pythons, notes, err := questions.FindPythons(ctx, *spec)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	if len(pythons) == 0 {
		return fmt.Errorf("no usable CPython 3.11+ found for --python %s", *spec)
	}
	var names []string
	for _, p := range pythons {
		names = append(names, p.Version()+" ("+p.Path+")")
	}
	fmt.Fprintf(stdout, "Verifying %d questions on CPython %s\n", len(qs), strings.Join(names, ", "))
	opts := questions.VerifyOptions{Jobs: *jobs, Timeout: *timeout}
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		opts.Progress = func(done, total int) { fmt.Fprintf(stderr, "\r[%d/%d]", done, total) }
	}
	start := time.Now()
	rep := questions.Verify(ctx, qs, pythons, opts)
	if opts.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if !rep.Isolated {
		fmt.Fprintln(stderr, "note: network isolation (unshare -n) is unavailable here; programs ran with the host network")
	}
	for _, o := range rep.Outcomes {
		for _, f := range o.Failures {
			fmt.Fprintln(stdout, "FAIL", f)
		}
	}
	var runs []string
	for _, p := range pythons {
		runs = append(runs, fmt.Sprintf("%s: %d", p.Version(), rep.Runs[p.Version()]))
	}
	fmt.Fprintf(stdout, "%s (verified runs per version: %s; %s)\n", rep.Summary(), strings.Join(runs, ", "), time.Since(start).Round(time.Second))
	if _, failed, _ := rep.Counts(); failed > 0 {
		return fmt.Errorf("%d question(s) failed verification", failed)
	}
	return nil
}

func listQuestions(bank *questions.Bank, tags bool, w io.Writer) {
	count := func(key func(q *questions.Question) []string) map[string]int {
		m := map[string]int{}
		for _, q := range bank.Questions {
			for _, k := range key(q) {
				m[k]++
			}
		}
		return m
	}
	show := func(title string, m map[string]int, order []string) {
		fmt.Fprintf(w, "%s:\n", title)
		if order == nil {
			for k := range m {
				order = append(order, k)
			}
			sort.Slice(order, func(i, j int) bool {
				if m[order[i]] != m[order[j]] {
					return m[order[i]] > m[order[j]]
				}
				return order[i] < order[j]
			})
		}
		for _, k := range order {
			fmt.Fprintf(w, "  %-24s %d\n", k, m[k])
		}
	}
	fmt.Fprintf(w, "%d questions\n", len(bank.Questions))
	show("By category", count(func(q *questions.Question) []string { return []string{q.Category} }), questions.Categories)
	show("By difficulty", count(func(q *questions.Question) []string { return []string{questions.DifficultyName(q.Difficulty)} }), []string{"easy", "medium", "hard"})
	show("By kind", count(func(q *questions.Question) []string { return []string{q.Kind} }), questions.Kinds)
	code := 0
	for _, q := range bank.Questions {
		if q.Kind != "concept" {
			code++
		}
	}
	if n := len(bank.Questions); n > 0 {
		fmt.Fprintf(w, "Code questions (output, error, timing): %d (%d%%)\n", code, code*100/n)
	}
	if tags {
		show("By tag", count(func(q *questions.Question) []string { return q.Tags }), nil)
	}
}

func suggest(bank *questions.Bank, id string) string {
	var close []string
	for _, q := range bank.Questions {
		if strings.Contains(q.ID, id) || strings.Contains(id, q.ID) {
			close = append(close, q.ID)
		}
	}
	if len(close) == 0 || len(close) > 5 {
		return "; see asyncquiz questions list"
	}
	return "; did you mean " + strings.Join(close, ", ") + "?"
}

const questionTemplate = `# A new %s question. Fill it in, then run:
#   asyncquiz questions lint && asyncquiz questions verify --python all --id YOUR-ID
- id: %s-describe-the-behaviour   # kebab-case, unique, never renamed
  category: %[1]s
  difficulty: 2                    # 1 easy, 2 medium, 3 hard
  tags: [gather]                   # concepts; see questions/README.md
  python: "3.11"                   # oldest CPython the behaviour holds for
  kind: output                     # concept | output | error | timing
  prompt: What does this program print?
  code: |
    import asyncio

    async def main():
        print("hello")

    asyncio.run(main())
  options:                         # 2 to 5; every wrong option says why it is wrong
    - text: "hello"
    - text: "nothing"
      why: "asyncio.run runs main to completion, so its print happens."
  answer: A
  explanation: "asyncio.run creates a loop, runs main until it returns, and closes the loop."
`

// reportsQuestions is `questions reports [--resolve ID]`.
func reportsQuestions(ctx context.Context, cfg Config, resolve string, stdout io.Writer) error {
	store, err := cfg.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if resolve != "" {
		n, err := store.ResolveReports(ctx, resolve)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Resolved %d open report(s) of %s; it is back in rounds.\n", n, terminalSafe(resolve))
		return nil
	}
	reps, err := store.Reports(ctx)
	if err != nil {
		return err
	}
	if len(reps) == 0 {
		fmt.Fprintln(stdout, "No open reports.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUESTION\tOPEN\tFIRST\tLAST\tHELD\tREASONS")
	for _, r := range reps {
		held := ""
		if r.Held {
			held = "out of rounds"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", terminalSafe(r.QuestionID), r.Open, r.First.UTC().Format("2006-01-02"),
			r.Last.UTC().Format("2006-01-02"), held, terminalSafe(strings.Join(r.Reasons, " | ")))
	}
	return tw.Flush()
}

// statsQuestions is `questions stats [--team T [--platform P]]`.
func statsQuestions(ctx context.Context, cfg Config, team, platform string, stdout io.Writer) error {
	bank, err := cfg.loadBank()
	if err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, bank)
	if err != nil {
		return err
	}
	defer store.Close()
	var scope *quiz.Tenant
	if team != "" {
		if platform == "" {
			ps, err := store.TeamPlatforms(ctx, team)
			if err != nil {
				return err
			}
			if len(ps) != 1 {
				return fmt.Errorf("--team %q is on %d platforms here; choose one with --platform", team, len(ps))
			}
			platform = ps[0]
		}
		scope = &quiz.Tenant{Platform: platform, Team: team}
	}
	stats, err := store.ItemStats(ctx, scope)
	if err != nil {
		return err
	}
	if len(stats) == 0 {
		fmt.Fprintln(stdout, "No revealed rounds yet.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUESTION\tASKED\tANSWERS\tRIGHT\tPICKS A/B/C/D/E (file letters)\tMEDIAN\tDISCRIMINATION\tFLAGS")
	flagged := 0
	for _, st := range stats {
		n := 5
		if q, ok := bank.Get(st.QuestionID); ok {
			n = len(q.Options)
		}
		var picks []string
		for i := 0; i < n; i++ {
			pct := 0
			if st.Answers > 0 {
				pct = st.Picks[i] * 100 / st.Answers
			}
			picks = append(picks, fmt.Sprintf("%d%%", pct))
		}
		disc := "-"
		if st.DiscriminationN > 0 {
			disc = fmt.Sprintf("%+d pts", st.Discrimination)
		}
		flags := st.Flags(n)
		if len(flags) > 0 {
			flagged++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d%%\t%s\t%ds\t%s\t%s\n", terminalSafe(st.QuestionID), st.Asked, st.Answers, st.Percent(),
			strings.Join(picks, "/"), st.MedianSeconds, disc, strings.Join(flags, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d questions, %d flagged (judged once they have 20 answers).\n", len(stats), flagged)
	return nil
}
