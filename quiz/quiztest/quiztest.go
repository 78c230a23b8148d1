// Package quiztest provides helpers for tests that need a real quiz
// database: SQLite in a temp dir, and PostgreSQL in a fresh schema when
// ASYNCQUIZ_TEST_POSTGRES is set.
package quiztest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// PostgresEnv names the variable holding a PostgreSQL URL for tests.
const PostgresEnv = "ASYNCQUIZ_TEST_POSTGRES"

// DB is a fresh, migrated test database: its DSN, from which tests open
// stores, and a GORM handle of its own for assertions about rows (no test
// reaches into a Store for its handle).
type DB struct {
	*gorm.DB
	DSN string
}

// Engines runs fn once per database engine as subtests "sqlite" and
// "postgres"; the latter skips with a message when PostgresEnv is unset.
func Engines(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, MustOpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, MustOpenPostgres(t)) })
}

// MustOpenSQLite creates a migrated SQLite database in tb.TempDir().
func MustOpenSQLite(tb testing.TB) *DB {
	tb.Helper()
	return mustOpen(tb, filepath.Join(tb.TempDir(), "quiz.db"))
}

// MustOpenPostgres creates a migrated PostgreSQL database in a fresh
// schema, or skips tb when PostgresEnv is unset.
func MustOpenPostgres(tb testing.TB) *DB {
	tb.Helper()
	return mustOpen(tb, PostgresURL(tb))
}

func mustOpen(tb testing.TB, dsn string) *DB {
	tb.Helper()
	s, err := quiz.Open(context.Background(), dsn, nil) // migrates
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	s.Close()
	return &DB{DB: Inspect(tb, dsn), DSN: dsn}
}

// PostgresURL returns a URL for a fresh, empty schema that is dropped when
// tb ends, or skips tb when PostgresEnv is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run them", PostgresEnv)
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	schema := fmt.Sprintf("asyncquiz_test_%d_%d", time.Now().UnixNano(), rand.IntN(1_000_000))
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Inspect opens a GORM handle on dsn for assertions about rows, closed when
// tb ends.
func Inspect(tb testing.TB, dsn string) *gorm.DB {
	tb.Helper()
	var dial gorm.Dialector
	if quiz.IsPostgres(dsn) {
		dial = postgres.Open(dsn)
	} else {
		dial = sqlite.Open("file:" + dsn + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		tb.Fatalf("inspect %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// OpenStore opens a store on db with bank, closed when tb ends.
func OpenStore(tb testing.TB, db *DB, bank *questions.Bank, opts ...quiz.Option) *quiz.Store {
	tb.Helper()
	s, err := quiz.Open(context.Background(), db.DSN, bank, opts...)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Count returns the number of rows of model's table matching the optional
// condition, e.g. db.Count(t, &quiz.Answer{}, "round_id = ?", 1).
func (db *DB) Count(tb testing.TB, model any, where ...any) int64 {
	tb.Helper()
	q := db.Model(model)
	if len(where) > 0 {
		q = q.Where(where[0], where[1:]...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		tb.Fatalf("count: %v", err)
	}
	return n
}

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Bank returns a small fixed bank: two questions per difficulty in core, one
// per difficulty in basics, each with answer B of options A-D, so tests know
// every answer without depending on the real bank. Its questions are shown
// in file order (shuffle: false), so a test can name the letter it clicks;
// ShuffledBank is the same bank shown as the real one is.
func Bank() *questions.Bank {
	b := ShuffledBank()
	fileOrder := false
	for _, q := range b.Questions {
		q.Shuffle = &fileOrder
	}
	return b
}

// ShuffledBank is Bank with its options shown shuffled, as every question of
// the real bank is.
func ShuffledBank() *questions.Bank {
	var qs []*questions.Question
	add := func(id, cat string, diff int, tags ...string) {
		qs = append(qs, &questions.Question{
			ID: id, Category: cat, Difficulty: diff, Tags: tags, Python: "3.11", Kind: "concept",
			Prompt: "Which is true about " + id + "?",
			Options: []questions.Option{
				{Text: "wrong one", Why: "because one"}, {Text: "right"},
				{Text: "wrong two", Why: "because two"}, {Text: "wrong three", Why: "because three"},
			},
			Answer: "B", Explanation: "It is B.", Check: "pass",
		})
	}
	add("core-easy-1", "core", 1, "gather")
	add("core-easy-2", "core", 1, "gather", "cancellation")
	add("core-medium-1", "core", 2, "taskgroup")
	add("core-medium-2", "core", 2, "queue")
	add("core-hard-1", "core", 3, "shield", "cancellation")
	add("core-hard-2", "core", 3, "timeouts")
	add("basics-easy", "basics", 1, "async-await")
	add("basics-medium", "basics", 2, "event-loop")
	add("basics-hard", "basics", 3, "coroutine-task-future")
	return questions.NewBank(qs)
}

// Start is a fixed Wednesday, so week and month boundaries are predictable.
var Start = time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)

// NewStore returns a store over db with the fixed bank, a clock at Start,
// a fixed random seed, no answer grace (a round closes exactly at its
// deadline; TestStore_FairDeadline covers the grace) and no rate limits
// (TestStore_Limits covers them).
func NewStore(tb testing.TB, db *DB) (*quiz.Store, *Clock) {
	clk := NewClock(Start)
	return OpenStore(tb, db, Bank(), Exact(clk)...), clk
}

// Exact is the options of a test store: the clock, a fixed seed, no answer
// grace and no rate limits (tests of those set them).
func Exact(clk *Clock) []quiz.Option {
	return []quiz.Option{quiz.WithClock(clk.Now), quiz.WithSeed(1), quiz.WithAnswerGrace(0), quiz.WithLimits(quiz.Limits{})}
}
