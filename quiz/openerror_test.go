package quiz_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/asyncquiz/asyncquiz/quiz"
	"github.com/asyncquiz/asyncquiz/quiz/quiztest"
)

// openFails opens dsn, wants an *quiz.OpenError, and returns its message.
func openFails(t *testing.T, dsn string) string {
	t.Helper()
	s, err := quiz.Open(context.Background(), dsn, nil)
	if err == nil {
		s.Close()
		t.Fatalf("Open(%s) succeeded", dsn)
	}
	var oe *quiz.OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("Open(%s): %v (%T); want an *OpenError", dsn, err, err)
	}
	if strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("Open(%s) still says %q", dsn, err)
	}
	return err.Error()
}

func wantAll(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Fatalf("message %q lacks %q", msg, p)
		}
	}
}

// Each way a SQLite path cannot hold the database is named, with the
// path, instead of SQLite's "out of memory (14)".
func TestOpen_SQLitePathProblems(t *testing.T) {
	t.Run("ErrDirectoryMissing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "x", "y")
		msg := openFails(t, filepath.Join(dir, "q.db"))
		wantAll(t, msg, "directory "+dir+" does not exist", "create it")
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Open created %s", dir)
		}
	})
	t.Run("ErrPathIsDirectory", func(t *testing.T) {
		dir := t.TempDir()
		wantAll(t, openFails(t, dir), dir+" is a directory, not a database file", filepath.Join(dir, "asyncquiz.db"))
	})
	t.Run("ErrParentIsFile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "f")
		os.WriteFile(file, nil, 0o644)
		wantAll(t, openFails(t, filepath.Join(file, "q.db")), file+" is not a directory")
	})
	t.Run("FileURI", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "gone")
		wantAll(t, openFails(t, "file:"+filepath.Join(dir, "q.db")+"?_pragma=busy_timeout(1000)"), "directory "+dir+" does not exist")
	})
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		s, err := quiz.Open(context.Background(), filepath.Join(dir, "q.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		left, _ := filepath.Glob(filepath.Join(dir, ".asyncquiz-write-check-*"))
		if len(left) > 0 {
			t.Fatalf("the write check left %v behind", left)
		}
	})
}

// childEnv makes the test binary, started by runChild, open the SQLite
// path it names and print the error: the way to open a database as
// another user, or in a mount namespace, from a test.
const childEnv = "ASYNCQUIZ_TEST_OPEN_CHILD"

func TestOpen_Child(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("the helper process of TestOpen_SQLiteNotWritable")
	}
	s, err := quiz.Open(context.Background(), path, nil)
	if err != nil {
		fmt.Println("OPEN-ERROR:", err)
		return
	}
	s.Close()
	fmt.Println("OPENED")
}

// runChild runs TestOpen_Child on path through cmd (the test binary as
// its last argument) and returns what Open said.
func runChild(t *testing.T, path string, wrap func(bin string, args ...string) *exec.Cmd) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The go-build directory is root's alone; another user needs a copy.
	binDir := t.TempDir()
	os.Chmod(filepath.Dir(binDir), 0o755)
	os.Chmod(binDir, 0o755)
	copied := filepath.Join(binDir, "quiz.test")
	if err := copyFile(bin, copied, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := wrap(copied, "-test.run=^TestOpen_Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "OPEN-ERROR: ") || line == "OPENED" {
			return strings.TrimPrefix(line, "OPEN-ERROR: ")
		}
	}
	t.Fatalf("the child said nothing about Open:\n%s", out)
	return ""
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// A directory or file the user cannot write is named with the user's uid
// and the Docker image's. Root writes through permission bits, so as root
// the case runs in a child process as uid 65532 (the image's user) on a
// root-owned directory, which is exactly a bind mount the image cannot
// write; as any other user, a chmod does it. A read-only file system
// (also for root) runs in a child in its own mount namespace.
func TestOpen_SQLiteNotWritable(t *testing.T) {
	asDocker := func(bin string, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: quiz.DockerUID, Gid: quiz.DockerUID}}
		return cmd
	}
	// open reports what Open says on path, as a user who is not root.
	open := func(t *testing.T, path string) (msg string, uid int) {
		if os.Geteuid() != 0 {
			return openFails(t, path), os.Geteuid()
		}
		return runChild(t, path, asDocker), quiz.DockerUID
	}
	t.Run("ErrDirectory", func(t *testing.T) {
		dir := t.TempDir()
		os.Chmod(filepath.Dir(dir), 0o755) // reachable, not writable
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		msg, uid := open(t, filepath.Join(dir, "q.db"))
		wantAll(t, msg, fmt.Sprintf("directory %s is not writable by uid %d", dir, uid), "uid 65532")
	})
	t.Run("ErrFile", func(t *testing.T) {
		dir := t.TempDir()
		os.Chmod(filepath.Dir(dir), 0o755)
		os.Chmod(dir, 0o777) // the directory takes new files
		db := filepath.Join(dir, "q.db")
		quiztest.Inspect(t, db).Exec("CREATE TABLE t (x int)") // a real database, root's, read-only to others
		os.Chmod(db, 0o444)
		msg, uid := open(t, db)
		wantAll(t, msg, fmt.Sprintf("database file %s is not writable by uid %d", db, uid))
	})
	t.Run("ErrReadOnlyFileSystem", func(t *testing.T) {
		if _, err := exec.LookPath("unshare"); err != nil {
			t.Skip("needs unshare for a read-only bind mount")
		}
		dir := t.TempDir()
		os.Chmod(filepath.Dir(dir), 0o755)
		// Does this machine let us make a read-only bind mount?
		probe := exec.Command("unshare", "-m", "sh", "-c", `mount --bind -o ro "$1" "$1" && ! touch "$1/x" 2>/dev/null`, "sh", dir)
		if out, err := probe.CombinedOutput(); err != nil {
			t.Skipf("cannot make a read-only bind mount here (needs a mount namespace): %v %s", err, out)
		}
		msg := runChild(t, filepath.Join(dir, "q.db"), func(bin string, args ...string) *exec.Cmd {
			script := `d="$1"; shift; mount --bind -o ro "$d" "$d" && exec "$@"`
			return exec.Command("unshare", append([]string{"-m", "sh", "-c", script, "sh", dir, bin}, args...)...)
		})
		wantAll(t, msg, "directory "+dir+" is not writable", "read-only file system")
	})
}

// A PostgreSQL that cannot be reached is named by host:port, database and
// user; the password never appears.
func TestOpen_PostgresUnreachable(t *testing.T) {
	msg := openFails(t, "postgres://quiz:hunter2-secret@127.0.0.1:1/quizdb?sslmode=disable&connect_timeout=5")
	wantAll(t, msg, "cannot reach PostgreSQL at 127.0.0.1:1", `database "quizdb"`, `user "quiz"`, "connection refused")
	if strings.Contains(msg, "hunter2") {
		t.Fatalf("the password leaked: %s", msg)
	}
}

// A refused login and a missing database on a real server. The test
// server trusts every login, so a wrong password cannot be produced; an
// unknown role is refused in the same class (SQLSTATE 28xxx).
func TestOpen_PostgresRefused(t *testing.T) {
	base := os.Getenv(quiztest.PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s", quiztest.PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrLogin", func(t *testing.T) {
		v := *u
		v.User = url.UserPassword("asyncquiz_no_such_role", "hunter2-secret")
		msg := openFails(t, v.String())
		wantAll(t, msg, "PostgreSQL at "+v.Hostname(), "refused the login", `user "asyncquiz_no_such_role"`, "pg_hba.conf")
		if strings.Contains(msg, "hunter2") {
			t.Fatalf("the password leaked: %s", msg)
		}
	})
	t.Run("ErrNoDatabase", func(t *testing.T) {
		v := *u
		v.Path = "/asyncquiz_no_such_db"
		wantAll(t, openFails(t, v.String()), "PostgreSQL at "+v.Hostname(), `has no database "asyncquiz_no_such_db"`, "createdb")
	})
}
