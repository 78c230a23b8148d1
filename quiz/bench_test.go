package quiz_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// benchEngines runs a benchmark on SQLite and, when configured, PostgreSQL.
func benchEngines(b *testing.B, fn func(b *testing.B, db *quiztest.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, quiztest.MustOpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, quiztest.MustOpenPostgres(b)) })
}

func benchStore(b *testing.B, db *quiztest.DB) (*quiz.Store, *quiztest.Clock) {
	clk := quiztest.NewClock(quiztest.Start)
	return quiztest.OpenStore(b, db, quiztest.Bank(), quiztest.Exact(clk)...), clk
}

func benchRound(b *testing.B, s *quiz.Store, channel string) quiz.Round {
	r, _, err := s.OpenRound(context.Background(), quiz.OpenInput{Tenant: teamA, Channel: channel, Duration: 7 * 24 * time.Hour, QuestionID: "core-easy-1"})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.MarkPosted(context.Background(), r.ID, "ts"); err != nil {
		b.Fatal(err)
	}
	return r
}

// One click at a time: each answer is its own transaction.
func BenchmarkAnswer_OneAtATime(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		s, _ := benchStore(b, db)
		r := benchRound(b, s, "C1")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			in := quiz.AnswerInput{Tenant: teamA, Channel: "C1", RoundID: r.ID, UserID: fmt.Sprintf("U%d", i), Option: "B"}
			if _, err := s.Answer(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Many clicks at once, as a big channel sends them: the writer batches.
func BenchmarkAnswer_Concurrent(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		s, _ := benchStore(b, db)
		r := benchRound(b, s, "C1")
		b.ResetTimer()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 512)
		for i := 0; i < b.N; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				in := quiz.AnswerInput{Tenant: teamA, Channel: "C1", RoundID: r.ID, UserID: fmt.Sprintf("U%d", i), Option: "B"}
				if _, err := s.Answer(context.Background(), in); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	})
}

// Claiming due rounds and finishing their reveals (scores included).
func BenchmarkClaimAndFinishReveal(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		s, clk := benchStore(b, db)
		for i := 0; i < b.N; i++ {
			r := benchRound(b, s, fmt.Sprintf("C%d", i))
			s.Answer(context.Background(), quiz.AnswerInput{Tenant: teamA, Channel: r.Channel, RoundID: r.ID, UserID: "U1", Option: "B"})
		}
		clk.Add(8 * 24 * time.Hour)
		b.ResetTimer()
		left := b.N
		for left > 0 {
			rs, err := s.ClaimDue(context.Background(), quiz.DefaultLease, 50)
			if err != nil || len(rs) == 0 {
				b.Fatalf("claimed %d, %v with %d left", len(rs), err, left)
			}
			for _, r := range rs {
				if err := s.FinishReveal(context.Background(), r.ID); err != nil {
					b.Fatal(err)
				}
			}
			left -= len(rs)
		}
	})
}

// benchAnswers is how many answers the leaderboard benchmark stores
// (ASYNCQUIZ_BENCH_ANSWERS; CI uses fewer so it stays quick).
func benchAnswers(b *testing.B) int {
	if v, err := strconv.Atoi(os.Getenv("ASYNCQUIZ_BENCH_ANSWERS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

// The leaderboard over a team with a million answers from 50,000 people:
// an index range and one count, however many answers there are.
func BenchmarkLeaderboard_Answers(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		n := benchAnswers(b)
		users := max(n/20, 1)
		seedAnswers(b, db, n, users, []string{"core-easy-1"})
		s, clk := benchStore(b, db)
		clk.Set(quiztest.Start.Add(time.Hour))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			lb, err := s.Leaderboard(context.Background(), quiz.LeaderboardInput{Tenant: teamA, Period: quiz.PeriodAll, UserID: fmt.Sprintf("U%d", users/2)})
			if err != nil || len(lb.Top) != 10 || lb.Me == nil {
				b.Fatalf("leaderboard: top %d me %v, %v", len(lb.Top), lb.Me, err)
			}
		}
	})
}

// seedAnswers writes n revealed answers by users people (20 per person, in
// rounds of 1,000 over 20 channels, the rounds' questions taken in turn from
// qids), their scores, item totals and item histograms, with bulk SQL: the
// benchmarks measure reading them, not writing them.
func seedAnswers(b *testing.B, db *quiztest.DB, n, people int, qids []string) {
	b.Helper()
	const perRound = 1000
	rounds := (n + perRound - 1) / perRound
	at := quiztest.Start.Add(-time.Hour).Format("2006-01-02 15:04:05")
	tx := db.Begin()
	for r := 1; r <= rounds; r++ {
		tx.Exec(`INSERT INTO rounds (id, platform, team, channel, question_id, state, created_at, closes_at, attempts, message_ref, option_order)
			VALUES (?, 'slack', 'T1', ?, ?, 'revealed', ?, ?, 1, 'ts', '')`, r, fmt.Sprintf("C%d", r%20), qids[r%len(qids)], at, at)
	}
	const chunk = 500
	for start := 0; start < n; start += chunk {
		sql := "INSERT INTO answers (round_id, user_id, platform, team, channel, user_name, option, correct, points, answered_at, question_id, practice, answer_ms) VALUES "
		var args []any
		for i := start; i < min(start+chunk, n); i++ {
			if i > start {
				sql += ","
			}
			sql += "(?, ?, 'slack', 'T1', ?, ?, ?, ?, ?, ?, ?, false, ?)"
			r := i/perRound + 1
			user := (i*7919 + r) % people
			correct := (i*31)%3 != 0
			points := 0
			if correct {
				points = 1 + i%3
			}
			args = append(args, r, fmt.Sprintf("U%d", user), fmt.Sprintf("C%d", r%20), fmt.Sprintf("user %d", user),
				map[bool]string{true: "B", false: "A"}[correct], correct, points, at, qids[r%len(qids)], (i*7793)%90_000)
		}
		if err := tx.Exec(sql+" ON CONFLICT DO NOTHING", args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	// All answers fall in one week, month and quarter, so their scores are
	// one aggregate per scope and period.
	berlinless := quiztest.Start.Add(-time.Hour)
	week := quiz.PeriodStart(quiz.PeriodWeek, berlinless, time.UTC).Format("2006-01-02")
	for _, period := range []string{"all", "w" + week, "m" + berlinless.Format("2006-01"), fmt.Sprintf("q%d-%d", berlinless.Year(), (int(berlinless.Month())-1)/3+1)} {
		for _, ch := range []string{"''", "channel"} {
			err := tx.Exec(`INSERT INTO scores (platform, team, channel, period, user_id, user_name, points, correct, answers, reached_at)
				SELECT platform, team, `+ch+`, ?, user_id, MAX(user_name), SUM(points), SUM(CASE WHEN correct THEN 1 ELSE 0 END), COUNT(*), MAX(answered_at)
				FROM answers GROUP BY platform, team, `+map[bool]string{true: "user_id", false: "channel, user_id"}[ch == "''"], period).Error
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	err := tx.Exec(`INSERT INTO item_totals (platform, team, question_id, asked, answers, correct, pick_a, pick_b, pick_c, pick_d, pick_e)
		SELECT platform, team, question_id, COUNT(DISTINCT round_id), COUNT(*), SUM(CASE WHEN correct THEN 1 ELSE 0 END),
			SUM(CASE WHEN option = 'A' THEN 1 ELSE 0 END), SUM(CASE WHEN option = 'B' THEN 1 ELSE 0 END), 0, 0, 0
		FROM answers GROUP BY platform, team, question_id`).Error
	if err != nil {
		b.Fatal(err)
	}
	// The histograms of answer times and accuracies, as the reveals
	// (in round order) would have kept them.
	for _, sql := range quiz.ItemHistogramsBackfill {
		if err := tx.Exec(sql).Error; err != nil {
			b.Fatal(err)
		}
	}
	tx.Exec(`INSERT INTO settings (name, value) VALUES ('score_zone', 'UTC') ON CONFLICT DO NOTHING`)
	if err := tx.Commit().Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Exec("ANALYZE").Error; err != nil { // as autovacuum would, so the planner knows the tables' sizes
		b.Fatal(err)
	}
}

// realBank is the shipped bank: its ids and tags spread the seeded answers
// over 347 questions as a long-lived team's are.
func realBank(b *testing.B) (*questions.Bank, []string) {
	bank, err := questions.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(bank.Questions))
	for i, q := range bank.Questions {
		ids[i] = q.ID
	}
	return bank, ids
}

// seededStore is a store over the real bank with benchAnswers answers
// seeded (20 per person); it returns how many and the bank's ids.
func seededStore(b *testing.B, db *quiztest.DB) (*quiz.Store, int, []string) {
	bank, ids := realBank(b)
	n := benchAnswers(b)
	seedAnswers(b, db, n, max(n/20, 1), ids)
	clk := quiztest.NewClock(quiztest.Start.Add(time.Hour))
	return quiztest.OpenStore(b, db, bank, quiztest.Exact(clk)...), n, ids
}

// Item statistics for one team, and over every team, from a million answers.
func BenchmarkItemStats(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		s, n, ids := seededStore(b, db)
		team := &quiz.Tenant{Platform: "slack", Team: "T1"}
		for _, scope := range []struct {
			name string
			t    *quiz.Tenant
		}{{"team", team}, {"all", nil}} {
			b.Run(scope.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					st, err := s.ItemStats(context.Background(), scope.t)
					if err != nil || len(st) != min(len(ids), (n+999)/1000) || st[0].DiscriminationN == 0 {
						b.Fatalf("%d stats (first %+v), %v", len(st), st[0], err)
					}
				}
			})
		}
	})
}

// A channel's weekly summary when the team has a million answers (the
// channel 50,000 of them, all in the week).
func BenchmarkSummary(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *quiztest.DB) {
		s, _, _ := seededStore(b, db)
		until := quiztest.Start
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sum, err := s.Summary(context.Background(), quiz.Tenant{Platform: "slack", Team: "T1"}, "C1", until.Add(-7*24*time.Hour), until)
			if err != nil || sum.Answers == 0 || len(sum.Missed) == 0 {
				b.Fatalf("summary %+v, %v", sum, err)
			}
		}
	})
}
