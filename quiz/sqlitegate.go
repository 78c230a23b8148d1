package quiz

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
)

// SQLite lets one connection write at a time. A writer that finds the lock
// taken waits in SQLite's busy handler, which polls with sleeps growing to
// 100 ms, so when many goroutines write at once (2,000 reveals together,
// the answer writer, claims) most of a write's wait was sleep after the
// lock had already been freed. The connections of one database handle
// therefore take turns at a gate in Go first: a writer waiting here runs
// as soon as the one before it finishes. Writers in other processes on the
// same file still meet the busy handler, which stays the safety net.

// gateWait bounds a wait at the gate; past it the write goes on ungated and
// SQLite's own busy timeout decides (a write on a second connection while
// a transaction of the same goroutine is open would otherwise wait
// forever, where SQLite reports "database is locked").
const gateWait = 10 * time.Second

// writeGate is a one-slot semaphore shared by a handle's connections.
type writeGate chan struct{}

// enter waits for the gate; leave must be called once the write is over.
// Past gateWait (or when ctx ends first) it returns a no-op leave and the
// write proceeds without the gate.
func (g writeGate) enter(ctx context.Context) (leave func()) {
	select {
	case g <- struct{}{}:
		return func() { <-g }
	default:
	}
	t := time.NewTimer(gateWait)
	defer t.Stop()
	select {
	case g <- struct{}{}:
		return func() { <-g }
	case <-t.C:
	case <-ctx.Done():
	}
	return func() {}
}

// writes reports whether a statement run outside a transaction may write:
// anything but a plain read. Erring towards true only costs a turn.
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 7 {
		return true
	}
	switch strings.ToUpper(q[:7]) {
	case "SELECT ", "SELECT\n", "SELECT\t", "EXPLAIN":
		return false
	}
	return true
}

// openSQLite opens a handle on the SQLite driver whose connections write
// one at a time (see writeGate).
func openSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(&gatedConnector{drv: drv, dsn: dsn, gate: make(writeGate, 1)}), nil
}

// narrow is the driver's value v as T, the methods the gate wraps; v is
// closed when it lacks them (another driver version).
func narrow[T any](v interface{ Close() error }, what string) (T, error) {
	t, ok := v.(T)
	if !ok {
		v.Close()
		return t, fmt.Errorf("the sqlite driver's %s lack methods the write gate wraps", what)
	}
	return t, nil
}

type gatedConnector struct {
	drv  driver.Driver
	dsn  string
	gate writeGate
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, err := narrow[sqliteConn](conn, "connections")
	if err != nil {
		return nil, err
	}
	return &gatedConn{c: inner, gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the driver's connections implement.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
}

// gatedConn holds the gate for a whole transaction (every transaction
// begins IMMEDIATE, taking SQLite's write lock) and for each write outside
// one. database/sql never shares a connection between goroutines, so the
// fields need no lock.
type gatedConn struct {
	c     sqliteConn
	gate  writeGate
	leave func() // set while a transaction holds the gate
}

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	leave := c.gate.enter(ctx)
	tx, err := c.c.BeginTx(ctx, opts)
	if err != nil {
		leave()
		return nil, err
	}
	c.leave = leave
	return &gatedTx{tx: tx, c: c}, nil
}

// turn enters the gate for one statement unless a transaction holds it or
// the statement only reads; nil means no turn was taken.
func (c *gatedConn) turn(ctx context.Context, query string) func() {
	if c.leave != nil || !writes(query) {
		return nil
	}
	return c.gate.enter(ctx)
}

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if leave := c.turn(ctx, query); leave != nil {
		defer leave()
	}
	return c.c.ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	leave := c.turn(ctx, query)
	rows, err := c.c.QueryContext(ctx, query, args)
	return gateRows(rows, err, leave)
}

// gateRows keeps a write's turn until its rows are closed: UPDATE ...
// RETURNING writes as it is read.
func gateRows(rows driver.Rows, err error, leave func()) (driver.Rows, error) {
	if leave == nil {
		return rows, err
	}
	if err != nil {
		leave()
		return nil, err
	}
	typed, err := narrow[sqliteRows](rows, "rows")
	if err != nil {
		leave()
		return nil, err
	}
	return &gatedRows{sqliteRows: typed, leave: leave}, nil
}

func (c *gatedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	inner, err := narrow[sqliteStmt](s, "statements")
	if err != nil {
		return nil, err
	}
	return &gatedStmt{s: inner, c: c, query: query}, nil
}

func (c *gatedConn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

func (c *gatedConn) Close() error {
	if c.leave != nil { // a transaction left open on a connection being closed
		c.leave()
		c.leave = nil
	}
	return c.c.Close()
}

type gatedTx struct {
	tx driver.Tx
	c  *gatedConn
}

func (t *gatedTx) Commit() error   { defer t.end(); return t.tx.Commit() }
func (t *gatedTx) Rollback() error { defer t.end(); return t.tx.Rollback() }

func (t *gatedTx) end() {
	if t.c.leave != nil {
		t.c.leave()
		t.c.leave = nil
	}
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type gatedStmt struct {
	s     sqliteStmt
	c     *gatedConn
	query string
}

func (s *gatedStmt) Close() error  { return s.s.Close() }
func (s *gatedStmt) NumInput() int { return s.s.NumInput() }

func (s *gatedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("sqlite: Exec without a context is not used")
}

func (s *gatedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("sqlite: Query without a context is not used")
}

func (s *gatedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if leave := s.c.turn(ctx, s.query); leave != nil {
		defer leave()
	}
	return s.s.ExecContext(ctx, args)
}

func (s *gatedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	leave := s.c.turn(ctx, s.query)
	rows, err := s.s.QueryContext(ctx, args)
	return gateRows(rows, err, leave)
}

// sqliteRows is what the driver's rows implement (the column type methods
// are what gorm and database/sql ask of them).
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// gatedRows gives the gate back when the rows are closed.
type gatedRows struct {
	sqliteRows
	leave func()
}

func (r *gatedRows) Close() error {
	err := r.sqliteRows.Close()
	if r.leave != nil {
		r.leave()
		r.leave = nil
	}
	return err
}
