package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
)

func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("export", "--team T [--kind answers|leaderboard] [--platform P]", "Write a team's answers or its all-time leaderboard as CSV to stdout.")
	cfg.dbFlag(fs)
	team := fs.String("team", "", "team to export: Slack team id, Discord guild id, or local for play (required)")
	platform := fs.String("platform", "", "slack, discord or console; needed only when the team id exists on several")
	kind := fs.String("kind", "answers", "answers (every round answer) or leaderboard (all-time standings)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	switch {
	case *team == "":
		return usageError(fs, "--team is required")
	case *kind != "answers" && *kind != "leaderboard":
		return usageError(fs, "--kind %q must be answers or leaderboard", *kind)
	}
	store, err := cfg.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if *platform == "" {
		ps, err := store.TeamPlatforms(ctx, *team)
		if err != nil {
			return err
		}
		switch len(ps) {
		case 0:
			return fmt.Errorf("team %q has no rounds in %s", *team, cfg.DB)
		case 1:
			*platform = ps[0]
		default:
			return fmt.Errorf("team %q exists on %s: choose one with --platform", *team, strings.Join(ps, " and "))
		}
	}
	t := quiz.Tenant{Platform: *platform, Team: *team}
	w := csv.NewWriter(stdout)
	if *kind == "leaderboard" {
		lb, err := store.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: t, Period: quiz.PeriodAll, Limit: 1 << 30})
		if err != nil {
			return err
		}
		w.Write([]string{"rank", "user_id", "user_name", "points", "correct", "answers"})
		for _, s := range lb.Top {
			w.Write([]string{strconv.Itoa(s.Rank), cell(s.UserID), cell(s.UserName), strconv.Itoa(s.Points), strconv.Itoa(s.Correct), strconv.Itoa(s.Answers)})
		}
	} else {
		answers, err := store.Answers(ctx, t)
		if err != nil {
			return err
		}
		// shown is the letter clicked; option is the same choice in the
		// bank file's letters, comparable across rounds.
		w.Write([]string{"round_id", "channel", "user_id", "user_name", "shown", "option", "question_id", "correct", "points", "answered_at"})
		for _, a := range answers {
			w.Write([]string{strconv.FormatUint(a.RoundID, 10), cell(a.Channel), cell(a.UserID), cell(a.UserName), a.Shown(), a.Option, cell(a.QuestionID),
				strconv.FormatBool(a.Correct), strconv.Itoa(a.Points), a.AnsweredAt.UTC().Format(time.RFC3339)})
		}
	}
	w.Flush()
	return w.Error()
}

// runHealthcheck probes the server's /healthz, for the container HEALTHCHECK
// (the image has no shell or curl).
func runHealthcheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(os.LookupEnv)
	fs := newFlags("healthcheck", "[--url URL]", "Probe a running server's /healthz and exit 0 if it answers 200 (the Docker image's HEALTHCHECK).")
	url := fs.String("url", "", "URL to probe (default http://127.0.0.1<port of ASYNCQUIZ_ADDR>/healthz)")
	if helped, err := parseFlags(fs, args, stdout, stderr); helped || err != nil {
		return err
	}
	if *url == "" {
		port := cfg.Addr
		if i := strings.LastIndex(port, ":"); i >= 0 {
			port = port[i:]
		}
		*url = "http://127.0.0.1" + port + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("unhealthy: " + resp.Status)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}
