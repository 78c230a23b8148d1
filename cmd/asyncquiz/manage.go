package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// runRoundsClose is `asyncquiz rounds close ID [--cancel]`: the operator's
// stop and cancel, for any round of any team.
func runRoundsClose(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("rounds close", "ID [--cancel] [--db DB]", "Close an open round now. A running asyncquiz serve reveals it within 15 seconds;\n"+
		"with --cancel its message says it was cancelled, shows no answer, and nothing is scored.")
	cfg.dbFlag(fs)
	cancel := fs.Bool("cancel", false, "close without scoring or revealing the answer")
	// The id may come before or after the flags.
	var id string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		id, args = args[0], args[1:]
	}
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError(fs, "unexpected %q", fs.Arg(0))
	}
	n, err := strconv.ParseUint(id, 10, 63)
	if err != nil || n == 0 {
		return usageError(fs, "give the round's id, a positive number (see asyncquiz rounds)")
	}
	store, err := cfg.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	rs, err := store.Rounds(ctx, []string{quiz.StatePosting, quiz.StateOpen, quiz.StateRevealing}, 1_000_000)
	if err != nil {
		return err
	}
	var t quiz.Tenant
	found := false
	for _, r := range rs {
		if r.ID == n {
			t, found = quiz.Tenant{Platform: r.Platform, Team: r.Team}, true
		}
	}
	if !found {
		return fmt.Errorf("round %d is not open (asyncquiz rounds lists the open ones)", n)
	}
	r, err := store.CloseRound(ctx, quiz.CloseInput{Tenant: t, RoundID: n, Manager: true, Cancel: *cancel})
	if err != nil {
		return fmt.Errorf("%s", quiz.ErrorMessage(err))
	}
	what := "closed; a running asyncquiz serve reveals it within 15 seconds"
	if *cancel {
		what = "cancelled; a running asyncquiz serve marks its message cancelled within 15 seconds, and nothing is scored"
	}
	_, err = fmt.Fprintf(stdout, "Round %d in %s %s %s is %s.\n", r.ID, r.Platform, terminalSafe(r.Team), terminalSafe(r.Channel), what)
	return err
}

// runForget is `asyncquiz forget --team T --user U`: delete one person's data.
func runForget(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("forget", "--team T --user U [--platform P] [--db DB]", "Delete everything stored about one person in one team: answers, points,\n"+
		"streaks, redo queue, drills, reports, settings. Messages already posted in\nchannels are the platform's and stay.")
	cfg.dbFlag(fs)
	team := fs.String("team", "", "the team: Slack workspace id (T…), Discord server id, or local for play (required)")
	user := fs.String("user", "", "the person's user id: Slack U…, Discord's numeric id, or the play --user name (required)")
	platform := fs.String("platform", "", "slack, discord or console (default: every platform with that team id)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if *team == "" || *user == "" || fs.NArg() > 0 {
		return usageError(fs, "--team and --user are required, and nothing else")
	}
	store, err := cfg.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.Forget(ctx, *platform, *team, *user)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Forgot %s in %s: %d rows deleted or unnamed.\n", terminalSafe(*user), terminalSafe(*team), n.Total())
	return err
}
