package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/asyncquiz/asyncquiz/quiz"
)

// The database is read after the load, through the quiz store (the
// database belongs to quiz), to count what was recorded.

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// freshSchema creates an empty schema in the PostgreSQL database at dsn and
// returns a URL that selects it, and a func that drops it. Only this needs
// SQL of its own; pgx is the driver quiz uses already.
func freshSchema(ctx context.Context, dsn string) (string, func() error, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("postgres URL: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("connect to postgres: %w", err)
	}
	schema := fmt.Sprintf("loadgen_%d_%d", time.Now().Unix(), rand.IntN(1_000_000))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
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

// readStored reads the answers of the run's tenants and its rounds.
func readStored(ctx context.Context, dsn string, rounds []uint64, tenants []quiz.Tenant) (*stored, error) {
	store, err := quiz.Open(ctx, dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	defer store.Close()
	ours := map[uint64]bool{}
	for _, id := range rounds {
		ours[id] = true
	}
	st := &stored{Answers: map[pair]int{}, Rounds: map[uint64]storedRound{}}
	for _, t := range tenants {
		answers, err := store.Answers(ctx, t)
		if err != nil {
			return nil, err
		}
		for _, a := range answers {
			if !ours[a.RoundID] {
				continue
			}
			st.Answers[pair{a.RoundID, a.UserID}]++
			st.Answered = append(st.Answered, a.AnsweredAt)
		}
		for _, id := range rounds {
			r, err := store.Round(ctx, t, id)
			if quiz.ErrorCode(err) == quiz.ENotFound {
				continue // the other platform's
			}
			if err != nil {
				return nil, err
			}
			st.Rounds[id] = storedRound{ClosesAt: r.ClosesAt, RevealedAt: r.RevealedAt, State: r.State}
		}
	}
	return st, nil
}
