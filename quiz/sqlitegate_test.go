package quiz

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// With SQLite's busy timeout at zero, a writer that meets the write lock
// fails at once with "database is locked": every write below succeeds only
// if the handle's connections really take turns, for transactions, for
// single statements and for UPDATE ... RETURNING read as rows.
func TestSQLiteGate_WritersTakeTurns(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "gate.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(0)&_txlock=immediate"
	db, err := openSQLite(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE n (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const workers, each = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := w*each + i
				var err error
				switch i % 3 {
				case 0:
					err = inTx(ctx, db, func(tx *sql.Tx) error {
						if _, err := tx.ExecContext(ctx, "INSERT INTO n (k, v) VALUES (?, 0)", k); err != nil {
							return err
						}
						var c int
						return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM n").Scan(&c)
					})
				case 1:
					_, err = db.ExecContext(ctx, "INSERT INTO n (k, v) VALUES (?, 0)", k)
				case 2:
					if _, err = db.ExecContext(ctx, "INSERT INTO n (k, v) VALUES (?, 0)", k); err == nil {
						var v int
						err = db.QueryRowContext(ctx, "UPDATE n SET v = v + 1 WHERE k = ? RETURNING v", k).Scan(&v)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("write %d: %w", k, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var rows, bumped int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(v), 0) FROM n").Scan(&rows, &bumped); err != nil {
		t.Fatal(err)
	}
	if rows != workers*each || bumped != workers*(each/3) {
		t.Fatalf("rows %d, bumped %d; want %d, %d", rows, bumped, workers*each, workers*(each/3))
	}
}

func inTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func TestSQLiteGate_Writes(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT * FROM rounds":                   false,
		"  select count(*) from answers":         false,
		"SELECT\n\tid FROM rounds":               false,
		"EXPLAIN QUERY PLAN SELECT 1":            false,
		"UPDATE rounds SET state = 'x'":          true,
		"WITH batch AS (SELECT 1) UPDATE rounds": true,
		"INSERT INTO answers VALUES (1)":         true,
		"SELECTED":                               true, // not a SELECT: err towards a turn
		"":                                       true,
		"(SELECT 1) UNION ALL (SELECT 2)":        false,
		"DELETE FROM answers WHERE round_id = 1": true,
		"PRAGMA foreign_keys = ON":               true,
	} {
		if got := writes(q); got != want {
			t.Errorf("writes(%q) = %v, want %v", q, got, want)
		}
	}
}
