package quiz

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/asyncquiz/asyncquiz/questions"
	"gorm.io/gorm"
)

// Store runs the quiz on a database. It is safe for concurrent use, and any
// number of Stores (replicas) may share one PostgreSQL database.
type Store struct {
	db       *gorm.DB
	postgres bool
	bank     *questions.Bank
	now      func() time.Time
	loc      *time.Location

	mu  sync.Mutex
	rnd *rand.Rand

	answers *answerWriter
	grace   time.Duration
	limits  Limits
	log     *slog.Logger
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock; tests inject a fake one.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLocation sets the time zone that leaderboard weeks and months follow.
func WithLocation(loc *time.Location) Option { return func(s *Store) { s.loc = loc } }

// WithAnswerGrace sets how long after a deadline a click received before
// it may still commit (default AnswerGrace); reveals wait that long.
func WithAnswerGrace(d time.Duration) Option { return func(s *Store) { s.grace = d } }

// WithSeed makes question selection repeatable.
func WithSeed(seed uint64) Option {
	return func(s *Store) { s.rnd = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
}

// newStore returns a Store over db (already migrated) and bank.
func newStore(db *gorm.DB, bank *questions.Bank, opts ...Option) *Store {
	s := &Store{
		db:       db,
		postgres: db.Dialector.Name() == "postgres",
		grace:    AnswerGrace,
		limits:   DefaultLimits,
		log:      slog.New(slog.DiscardHandler),
		bank:     bank,
		now:      time.Now,
		loc:      time.UTC,
		rnd:      rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)),
	}
	for _, o := range opts {
		o(s)
	}
	s.answers = newAnswerWriter(s)
	return s
}

// Bank returns the question bank the store draws from.
func (s *Store) Bank() *questions.Bank { return s.bank }

// Close closes the database's connection pool.
func (s *Store) Close() error {
	s.answers.close() // commits what is queued first
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ready reports whether the database is reachable and fully migrated, for
// /readyz. The error says why not (for the log, not the world).
func (s *Store) Ready(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	ok, err := migrated(ctx, s.db)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("migrations not applied")
	}
	return nil
}

// Now returns the current time in UTC, at the microsecond precision both databases keep.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Location returns the default time zone.
func (s *Store) Location() *time.Location { return s.loc }

func (s *Store) intn(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.IntN(n)
}

// Tenant scopes every row: platform plus team (Slack team id, Discord guild id).
type Tenant struct {
	Platform string
	Team     string
}

// Question returns the bank question id, or ErrNotFound.
func (s *Store) Question(id string) (*questions.Question, error) {
	q, ok := s.bank.Get(id)
	if !ok {
		return nil, ErrRetired
	}
	return q, nil
}

// ErrRetired is the error for a question that has left the bank since it
// was asked. Rounds, redo queues and leaderboards outlive it: history keeps
// the stored answers; nothing asks the question again.
var ErrRetired = &Error{Code: ENotFound, Message: "That question has been retired from the bank since it was asked."}

// WithLog sets the logger for what the store notices on its own (a
// question retired from the bank, an item dropped because of it).
func WithLog(log *slog.Logger) Option {
	return func(s *Store) { s.log = log.With("component", "store") }
}
