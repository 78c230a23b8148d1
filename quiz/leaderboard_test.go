package quiz_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
	"gorm.io/gorm"
)

func TestPeriodStart(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC) // a Wednesday
	tests := map[string]struct {
		period string
		loc    *time.Location
		want   time.Time
	}{
		"week_utc":     {quiz.PeriodWeek, time.UTC, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)},
		"week_berlin":  {quiz.PeriodWeek, berlin, time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC)},
		"month_utc":    {quiz.PeriodMonth, time.UTC, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		"month_berlin": {quiz.PeriodMonth, berlin, time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)},
		"all":          {quiz.PeriodAll, time.UTC, time.Time{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := quiz.PeriodStart(tc.period, now, tc.loc); !got.Equal(tc.want) {
				t.Fatalf("PeriodStart=%v, want %v", got, tc.want)
			}
		})
	}
	// Sunday evening still belongs to the week that began on Monday.
	sunday := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	if got, want := quiz.PeriodStart(quiz.PeriodWeek, sunday, time.UTC), time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Sunday: %v, want %v", got, want)
	}
}

// easyQuestions are the fixture's 1-point questions; playRound takes them
// in turn, as a channel's rounds would not repeat a question soon (and a
// person scores a question only once).
var easyQuestions = []string{"core-easy-1", "core-easy-2", "basics-easy"}

var played = map[*quiz.Store]int{}

// playRound opens a round in channel, lets each user answer, then reveals it.
func playRound(t *testing.T, s *quiz.Store, clk *quiztest.Clock, channel string, answers map[string]string) {
	t.Helper()
	qid := easyQuestions[played[s]%len(easyQuestions)]
	played[s]++
	playRoundOf(t, s, clk, channel, qid, answers)
}

// playRoundOf plays a round of question qid.
func playRoundOf(t *testing.T, s *quiz.Store, clk *quiztest.Clock, channel, qid string, answers map[string]string) {
	t.Helper()
	ctx := context.Background()
	r, _ := openPosted(t, s, quiz.OpenInput{Tenant: teamA, Channel: channel, OpenedBy: "U0", Duration: time.Minute, QuestionID: qid})
	for _, u := range sortedKeys(answers) {
		if _, err := answer(s, r.ID, u, answers[u]); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	clk.Set(r.ClosesAt.Add(quiz.AnswerGrace))
	if got, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil || len(got) != 1 {
		t.Fatalf("claim: %d %v", len(got), err)
	}
	if err := s.FinishReveal(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func TestStore_Leaderboard(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		// Last month: U9 scores. Last week (Nov 10): U1 scores.
		clk.Set(time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC))
		playRound(t, s, clk, "C1", map[string]string{"U9": "B"})
		clk.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
		playRound(t, s, clk, "C1", map[string]string{"U1": "B", "U2": "A"})
		// This week: U2 and U3 score in C1, U3 again in C2; U4 only misses.
		clk.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
		playRound(t, s, clk, "C1", map[string]string{"U2": "B", "U3": "B", "U4": "A"})
		playRound(t, s, clk, "C2", map[string]string{"U3": "B"})
		// Another team's points never show.
		if _, _, err := s.OpenRound(ctx, quiz.OpenInput{Tenant: quiz.Tenant{Platform: "slack", Team: "T2"}, Channel: "C1", Duration: time.Minute}); err != nil {
			t.Fatal(err)
		}

		board := func(period, scope, channel, me string) quiz.Leaderboard {
			t.Helper()
			lb, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: period, Scope: scope, Channel: channel, UserID: me})
			if err != nil {
				t.Fatal(err)
			}
			return lb
		}
		users := func(lb quiz.Leaderboard) string {
			var out []string
			for _, s := range lb.Top {
				out = append(out, s.UserID)
			}
			return fmt.Sprint(out)
		}
		clk.Set(time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC))
		tests := map[string]struct {
			period, scope, channel string
			want                   string
		}{
			"week_team":    {"", "", "", "[U3 U2]"},
			"week_channel": {"week", "channel", "C2", "[U3]"},
			"month_team":   {"month", "team", "", "[U3 U1 U2]"},
			"all_team":     {"all", "team", "", "[U3 U9 U1 U2]"},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				if got := users(board(tc.period, tc.scope, tc.channel, "U1")); got != tc.want {
					t.Fatalf("top=%s, want %s", got, tc.want)
				}
			})
		}
		t.Run("TieGoesToWhoReachedItFirst", func(t *testing.T) {
			// U1 (Nov 10) and U2 (Nov 16) both have 1 point this month.
			lb := board("month", "team", "", "U2")
			if lb.Top[1].UserID != "U1" || lb.Top[2].UserID != "U2" {
				t.Fatalf("top=%s, want U1 before U2", users(lb))
			}
			if lb.Me == nil || lb.Me.Rank != 3 {
				t.Fatalf("Me=%+v, want rank 3", lb.Me)
			}
		})
		t.Run("OwnRankBelowTop", func(t *testing.T) {
			lb, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: "all", UserID: "U2", Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(lb.Top) != 2 || lb.Me == nil || lb.Me.Rank != 4 {
				t.Fatalf("top=%s me=%+v, want 2 listed and me at rank 4", users(lb), lb.Me)
			}
		})
		t.Run("NoPointsNoRank", func(t *testing.T) {
			if lb := board("week", "team", "", "U4"); lb.Me != nil {
				t.Fatalf("U4 without points has rank %+v", lb.Me)
			}
		})
		t.Run("ErrBadPeriod", func(t *testing.T) {
			_, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: "year"})
			if quiz.ErrorCode(err) != quiz.EInvalid {
				t.Fatalf("err=%v, want EInvalid", err)
			}
		})
	})
}

func TestStore_Stats(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		// One question, asked four times: the three later answers are
		// practice (no points) but count in stats.
		for _, letter := range []string{"B", "A", "B", "B"} {
			playRoundOf(t, s, clk, "C1", "core-easy-1", map[string]string{"U1": letter})
		}
		st, err := s.Stats(ctx, teamA, "U1")
		if err != nil {
			t.Fatal(err)
		}
		if st.Overall.Total != 4 || st.Overall.Correct != 3 || st.Rounds != 4 {
			t.Fatalf("Overall=%+v Rounds=%d, want 3/4 in 4 rounds", st.Overall, st.Rounds)
		}
		if st.CurrentStreak != 2 || st.BestStreak != 2 {
			t.Fatalf("streak=%d best=%d, want 2 and 2", st.CurrentStreak, st.BestStreak)
		}
		if st.Redo.Total != 1 || st.Redo.Due != 0 {
			t.Fatalf("Redo=%+v, want 1 queued, 0 due", st.Redo)
		}
		if len(st.ByCategory) == 0 || len(st.ByTag) == 0 {
			t.Fatalf("ByCategory=%v ByTag=%v, want both filled", st.ByCategory, st.ByTag)
		}
		if got := st.ByTag[0]; got.Name != "gather" || got.Correct != 3 || got.Total != 4 || got.Percent() != 75 {
			t.Fatalf("ByTag[0]=%+v, want gather 3/4 (75%%)", got)
		}
	})
}

// Points reach the leaderboard at the reveal, not while the round is open
// (a board that moved at each click would tell who got it right).
func TestStore_LeaderboardCountsAtReveal(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		s, clk := quiztest.NewStore(t, db)
		r := openRound(t, s, "C1", time.Minute)
		if _, err := answer(s, r.ID, "U1", "B"); err != nil {
			t.Fatal(err)
		}
		lb, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, UserID: "U1"})
		if err != nil || len(lb.Top) != 0 {
			t.Fatalf("open round: top=%+v, %v; want nothing yet", lb.Top, err)
		}
		clk.Set(r.ClosesAt)
		if _, err := s.ClaimDue(ctx, quiz.DefaultLease, 10); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishReveal(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishReveal(ctx, r.ID); quiz.ErrorCode(err) != quiz.EConflict {
			t.Fatalf("a second FinishReveal: %v, want conflict (and no double count)", err)
		}
		lb, err = s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, UserID: "U1"})
		if err != nil || len(lb.Top) != 1 || lb.Top[0].Points != 1 || lb.Me == nil || lb.Me.Rank != 1 {
			t.Fatalf("after the reveal: top=%+v me=%+v, %v; want U1 with 1 point", lb.Top, lb.Me, err)
		}
	})
}

// Months and quarters follow the server's time zone; while a period has
// just turned, last period's top three come too.
func TestStore_LeaderboardSeasons(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		ctx := context.Background()
		clk := quiztest.NewClock(time.Date(2026, 9, 30, 21, 30, 0, 0, time.UTC)) // 23:30 in Berlin, Sep 30
		s := quiztest.OpenStore(t, db, quiztest.Bank(), append(quiztest.Exact(clk), quiz.WithLocation(berlin))...)
		playRoundOf(t, s, clk, "C1", "core-easy-1", map[string]string{"U1": "B"}) // Q3, September
		clk.Set(time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC))                   // 00:30 Oct 1 in Berlin
		playRoundOf(t, s, clk, "C1", "core-easy-2", map[string]string{"U2": "B"}) // Q4, October
		clk.Set(time.Date(2026, 10, 2, 12, 0, 0, 0, time.UTC))
		for _, period := range []string{quiz.PeriodQuarter, quiz.PeriodMonth} {
			lb, err := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: period})
			if err != nil {
				t.Fatal(err)
			}
			if len(lb.Top) != 1 || lb.Top[0].UserID != "U2" {
				t.Fatalf("%s: top=%+v, want only U2 (the October answer)", period, lb.Top)
			}
			if len(lb.Previous) != 1 || lb.Previous[0].UserID != "U1" {
				t.Fatalf("%s: previous=%+v, want U1 (September, Q3)", period, lb.Previous)
			}
		}
		clk.Set(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC))
		if lb, _ := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: quiz.PeriodQuarter}); len(lb.Previous) != 0 {
			t.Fatalf("three weeks into the quarter, previous=%+v; want none", lb.Previous)
		}
	})
}

// Scores are bucketed in the server's zone; a store opened with another
// zone rebuilds them.
func TestStore_ScoresFollowTheZone(t *testing.T) {
	db := quiztest.MustOpenSQLite(t)
	ctx := context.Background()
	clk := quiztest.NewClock(time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC)) // Sep 30 in UTC, Oct 1 in Berlin
	s := quiztest.OpenStore(t, db, quiztest.Bank(), quiztest.Exact(clk)...)
	playRoundOf(t, s, clk, "C1", "core-easy-1", map[string]string{"U1": "B"})
	clk.Set(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC))
	if lb, _ := s.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: quiz.PeriodMonth}); len(lb.Top) != 0 {
		t.Fatalf("in UTC the answer is September's; October's board has %+v", lb.Top)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s2 := quiztest.OpenStore(t, db, quiztest.Bank(), append(quiztest.Exact(clk), quiz.WithLocation(berlin))...)
	if lb, _ := s2.Leaderboard(ctx, quiz.LeaderboardInput{Tenant: teamA, Period: quiz.PeriodMonth}); len(lb.Top) != 1 {
		t.Fatalf("in Berlin the answer is October's; the board has %+v", lb.Top)
	}
}

// The leaderboard's queries are index lookups on both engines.
func TestStore_LeaderboardUsesIndex(t *testing.T) {
	quiztest.Engines(t, func(t *testing.T, db *quiztest.DB) {
		const q = `SELECT * FROM scores WHERE platform = 'slack' AND team = 'T1' AND channel = '' AND period = 'all' AND points > 0
			ORDER BY points DESC, correct DESC, reached_at ASC, user_id ASC LIMIT 10`
		wantIndexInOrder(t, db, q, "idx_scores_rank")
	})
}

// wantIndexInOrder fails unless the engine plans q as a read of index in
// its order (no sort of what it found).
func wantIndexInOrder(t *testing.T, db *quiztest.DB, q, index string) {
	t.Helper()
	var plan []string
	if quiz.IsPostgres(db.DSN) {
		err := db.Transaction(func(tx *gorm.DB) error {
			tx.Exec("SET LOCAL enable_seqscan = off") // the table is tiny here; ask which index it can use
			return tx.Raw("EXPLAIN " + q).Scan(&plan).Error
		})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		var rows []struct{ Detail string }
		if err := db.Raw("EXPLAIN QUERY PLAN " + q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			plan = append(plan, r.Detail)
		}
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, index) || strings.Contains(strings.ToUpper(text), "TEMP B-TREE") || strings.Contains(text, "Sort") {
		t.Fatalf("plan does not read %s in order:\n%s", index, text)
	}
}
