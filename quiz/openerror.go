package quiz

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// OpenError is a database Open could not open, with the likely cause.
// Problem names the SQLite path, or PostgreSQL's host:port, database and
// user, never a password; Fix says what to do. Err is the driver's error,
// if there was one.
type OpenError struct {
	Problem string
	Fix     string
	Err     error
}

func (e *OpenError) Error() string {
	if e.Fix == "" {
		return e.Problem
	}
	return e.Problem + "; " + e.Fix
}

func (e *OpenError) Unwrap() error { return e.Err }

// DockerUID is the user the Docker image runs as (distroless nonroot).
const DockerUID = 65532

// checkSQLitePath finds the reasons path cannot hold a database before
// SQLite meets them, since SQLite reports each one as "unable to open
// database file: out of memory (14)". Every check is done as this
// process's user: a probe file shows whether the directory really takes
// new files (SQLite creates the database and, in WAL mode, -wal and -shm
// beside it), which honours permissions, ACLs and read-only mounts alike,
// also for root.
func checkSQLitePath(path string) error {
	if path == "" || path == ":memory:" {
		return nil
	}
	st, err := os.Stat(path)
	exists := err == nil
	switch {
	case exists && st.IsDir():
		return &OpenError{Problem: fmt.Sprintf("%s is a directory, not a database file", path),
			Fix: fmt.Sprintf("name a file in it, e.g. %s", filepath.Join(path, "asyncquiz.db"))}
	case err != nil && errors.Is(err, fs.ErrPermission):
		return notWritable(path, "cannot look up %s", err)
	}
	dir := filepath.Dir(path)
	dst, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &OpenError{Problem: fmt.Sprintf("directory %s does not exist", dir), Fix: "create it", Err: err}
	case err != nil && errors.Is(err, fs.ErrPermission):
		return notWritable(dir, "cannot look up directory %s", err)
	case err != nil:
		return &OpenError{Problem: fmt.Sprintf("cannot use directory %s: %v", dir, unwrapPath(err)), Err: err}
	case !dst.IsDir():
		return &OpenError{Problem: fmt.Sprintf("%s is not a directory", dir), Fix: "name a database file in a directory", Err: err}
	}
	probe, err := os.CreateTemp(dir, ".asyncquiz-write-check-*")
	if err != nil {
		return notWritable(dir, "directory %s is not writable", err)
	}
	probe.Close()
	os.Remove(probe.Name())
	if exists {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return notWritable(path, "database file %s is not writable", err)
		}
		f.Close()
	}
	return nil
}

// notWritable explains a refused write or lookup of path: a read-only file
// system, or a user without the permission (named by uid, with the
// Docker image's uid, since a bind mount is the usual way to get here).
func notWritable(path, problem string, err error) error {
	problem = fmt.Sprintf(problem, path)
	switch {
	case errors.Is(err, syscall.EROFS):
		return &OpenError{Problem: problem + ": it is on a read-only file system", Fix: "mount it read-write", Err: err}
	case errors.Is(err, fs.ErrPermission):
		uid := os.Geteuid()
		switch uid {
		case -1: // no uids here (Windows)
			return &OpenError{Problem: problem + ": permission denied", Fix: "give this user write access", Err: err}
		case DockerUID:
			return &OpenError{Problem: fmt.Sprintf("%s by uid %d (the user asyncquiz runs as, as in the Docker image)", problem, uid),
				Fix: fmt.Sprintf("make it writable by uid %d (for a bind mount, chown %d the directory on the host)", uid, uid), Err: err}
		}
		return &OpenError{Problem: fmt.Sprintf("%s by uid %d (the user asyncquiz runs as)", problem, uid),
			Fix: fmt.Sprintf("make it writable by uid %d (the Docker image runs as uid %d: a directory bind-mounted at /data "+
				"must be writable by uid %d)", uid, DockerUID, DockerUID), Err: err}
	}
	return &OpenError{Problem: fmt.Sprintf("%s: %v", problem, unwrapPath(err)), Err: err}
}

// unwrapPath drops the operation and path an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sqlitePath is the file a SQLite DSN names: a plain path, or a file: URI
// without its query; "" for an in-memory database.
func sqlitePath(dsn string) string {
	if !strings.HasPrefix(dsn, "file:") {
		return dsn
	}
	p, q, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if p == ":memory:" || strings.Contains(q, "mode=memory") {
		return ""
	}
	return p
}

// postgresError explains a failed connection to PostgreSQL: where it
// tried (host:port, database and user, from the driver's parsed
// configuration, so never the password) and the likely cause.
func postgresError(err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) || ce.Config == nil {
		return err
	}
	at := net.JoinHostPort(ce.Config.Host, fmt.Sprint(ce.Config.Port))
	who := fmt.Sprintf("database %q, user %q", ce.Config.Database, ce.Config.User)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000" || strings.HasPrefix(pe.Code, "28"):
			return &OpenError{Problem: fmt.Sprintf("PostgreSQL at %s refused the login (%s): %s (SQLSTATE %s)", at, who, pe.Message, pe.Code),
				Fix: "check the user name and password in the URL, and the server's pg_hba.conf", Err: err}
		case pe.Code == "3D000":
			return &OpenError{Problem: fmt.Sprintf("PostgreSQL at %s has no database %q", at, ce.Config.Database),
				Fix: fmt.Sprintf("create it (createdb %s) or name another database in the URL", ce.Config.Database), Err: err}
		}
		return &OpenError{Problem: fmt.Sprintf("PostgreSQL at %s refused the connection (%s): %s (SQLSTATE %s)", at, who, pe.Message, pe.Code), Err: err}
	}
	var dns *net.DNSError
	var op *net.OpError
	cause := ""
	switch {
	case errors.As(err, &dns):
		cause = fmt.Sprintf("cannot resolve host %s: %s", dns.Name, dns.Err)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		cause = "timed out"
	case errors.As(err, &op):
		cause = op.Err.Error()
	default:
		cause = ce.Unwrap().Error()
	}
	return &OpenError{Problem: fmt.Sprintf("cannot reach PostgreSQL at %s (%s): %s", at, who, cause),
		Fix: "check that the server runs and accepts connections there, and the host and port in the URL", Err: err}
}
