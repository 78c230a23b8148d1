package quiz

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/asyncquiz/asyncquiz/questions"
)

// IsPostgres reports whether dsn selects PostgreSQL rather than SQLite.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn (a postgres:// URL or a SQLite
// file path), applies the migrations, and returns the store over it and
// bank. A nil bank is an empty one (admin commands that only read rows).
func Open(ctx context.Context, dsn string, bank *questions.Bank, opts ...Option) (*Store, error) {
	db, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		closeDB(db)
		return nil, err
	}
	if bank == nil {
		bank = questions.NewBank(nil)
	}
	s := newStore(db, bank, opts...)
	if err := s.ensureScores(ctx); err != nil {
		closeDB(db)
		return nil, err
	}
	return s, nil
}

// connect opens and pings the database without migrating it.
func connect(ctx context.Context, dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		// Times are stored and compared in UTC only: SQLite compares them as text.
		NowFunc:        func() time.Time { return time.Now().UTC() },
		TranslateError: true,
		Logger:         logger.Discard,
	}
	var db *gorm.DB
	var err error
	if IsPostgres(dsn) {
		if _, perr := url.Parse(dsn); perr != nil {
			return nil, fmt.Errorf("not a valid postgres URL: %w", perr)
		}
		db, err = gorm.Open(postgres.Open(dsn), cfg) // connects
		if err != nil {
			return nil, fmt.Errorf("open database: %w", postgresError(err))
		}
	} else {
		if err := checkSQLitePath(sqlitePath(dsn)); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		sqlDB, oerr := openSQLite(sqliteDSN(dsn))
		if oerr != nil {
			return nil, fmt.Errorf("open database: %w", oerr)
		}
		if db, err = gorm.Open(&sqlite.Dialector{Conn: sqlDB}, cfg); err != nil {
			sqlDB.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// A small pool: SQLite has one writer anyway, and each PostgreSQL
	// connection is a server process that is slow to start.
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetMaxIdleConns(16)
	if !IsPostgres(dsn) {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		if IsPostgres(dsn) {
			err = postgresError(err)
		}
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return db, nil
}

// sqliteDSN adds the pragmas every pooled connection needs. _txlock=immediate
// makes read-then-write transactions wait for the write lock instead of
// failing with "database is locked".
func sqliteDSN(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func closeDB(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// migrationLockKey is the PostgreSQL advisory lock that serializes migrations
// when several replicas start at once.
const migrationLockKey = 0x61737971 // "asyq"

// MigrateTo opens the database and applies the migrations up to and
// including id, no further (tests of upgrades; an operator going step by
// step). It does not return a store: a schema behind the code's is not one
// the store can use.
func MigrateTo(ctx context.Context, dsn, id string) error {
	db, err := connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer closeDB(db)
	return runMigrations(ctx, db, func(m *gormigrate.Gormigrate) error { return m.MigrateTo(id) })
}

// MigrationIDs lists the migration steps in order.
func MigrationIDs() []string {
	var out []string
	for _, m := range migrations() {
		out = append(out, m.ID)
	}
	return out
}

// migrate applies every migration not yet recorded in schema_migrations.
func migrate(ctx context.Context, db *gorm.DB) error {
	return runMigrations(ctx, db, func(m *gormigrate.Gormigrate) error { return m.Migrate() })
}

func runMigrations(ctx context.Context, db *gorm.DB, step func(*gormigrate.Gormigrate) error) error {
	db = db.WithContext(ctx)
	run := func(conn *gorm.DB) error {
		m := gormigrate.New(conn, &gormigrate.Options{
			TableName:                 "schema_migrations",
			IDColumnName:              "id",
			IDColumnSize:              255,
			UseTransaction:            true,
			ValidateUnknownMigrations: true,
		}, migrations())
		if err := step(m); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	if db.Dialector.Name() != "postgres" {
		return run(db)
	}
	return db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockKey).Error; err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockKey)
		return run(conn)
	})
}

// migrated reports whether every known migration has been applied.
func migrated(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Table("schema_migrations").Count(&n).Error; err != nil {
		return false, fmt.Errorf("count migrations: %w", err)
	}
	return int(n) >= len(migrations()), nil
}
