package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// The database is read only after the load, to count what was recorded;
// these are the server's tables as its migrations create them.

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openDB(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard}
	var (
		db  *gorm.DB
		err error
	)
	if isPostgres(dsn) {
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		db, err = gorm.Open(sqlite.Open("file:"+dsn+"?_pragma=busy_timeout(10000)"), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		s.Close()
	}
}

// freshSchema creates an empty schema in the PostgreSQL database at dsn and
// returns a URL that selects it, and a func that drops it.
func freshSchema(ctx context.Context, dsn string) (string, func() error, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("postgres URL: %w", err)
	}
	db, err := openDB(dsn)
	if err != nil {
		return "", nil, err
	}
	schema := fmt.Sprintf("loadgen_%d_%d", time.Now().Unix(), rand.IntN(1_000_000))
	if err := db.WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		closeDB(db)
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() error {
		defer closeDB(db)
		if err := db.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

// stored is what the database holds for the rounds of a run.
type stored struct {
	Answers  map[pair]int // rows per (round, user)
	Answered []time.Time  // answered_at of every row
	Rounds   map[uint64]storedRound
}

type pair struct {
	Round uint64
	User  string
}

type storedRound struct {
	ClosesAt   time.Time
	RevealedAt *time.Time
	State      string
}

// readStored reads the answers and rounds of the given rounds.
func readStored(ctx context.Context, dsn string, rounds []uint64) (*stored, error) {
	db, err := openDB(dsn)
	if err != nil {
		return nil, err
	}
	defer closeDB(db)
	db = db.WithContext(ctx)
	st := &stored{Answers: map[pair]int{}, Rounds: map[uint64]storedRound{}}
	for len(rounds) > 0 {
		chunk := rounds[:min(len(rounds), 500)]
		rounds = rounds[len(chunk):]
		var answers []struct {
			RoundID    uint64
			UserID     string
			AnsweredAt time.Time
		}
		if err := db.Raw("SELECT round_id, user_id, answered_at FROM answers WHERE round_id IN ?", chunk).Scan(&answers).Error; err != nil {
			return nil, fmt.Errorf("read answers: %w", err)
		}
		for _, a := range answers {
			st.Answers[pair{a.RoundID, a.UserID}]++
			st.Answered = append(st.Answered, a.AnsweredAt)
		}
		var rs []struct {
			ID         uint64
			ClosesAt   time.Time
			RevealedAt *time.Time
			State      string
		}
		if err := db.Raw("SELECT id, closes_at, revealed_at, state FROM rounds WHERE id IN ?", chunk).Scan(&rs).Error; err != nil {
			return nil, fmt.Errorf("read rounds: %w", err)
		}
		for _, r := range rs {
			st.Rounds[r.ID] = storedRound{ClosesAt: r.ClosesAt, RevealedAt: r.RevealedAt, State: r.State}
		}
	}
	return st, nil
}
