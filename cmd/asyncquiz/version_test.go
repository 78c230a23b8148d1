package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "ee13d67c0ffee0123456789abcdef0123456789a"
	for name, tc := range map[string]struct {
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		"ldflags_win":      {"v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}}, "v1.2.3"},
		"go_install":       {"", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "false")}, "v1.2.3"},
		"vcs_clean":        {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "dev-ee13d67c0ffe"},
		"vcs_modified":     {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "dev-ee13d67c0ffe-dirty"},
		"no_vcs":           {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		"no_build_info":    {"", nil, "dev"},
		"empty_module_ver": {"", &debug.BuildInfo{}, "dev"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := versionOf(tc.ldflags, tc.bi); got != tc.want {
				t.Fatalf("versionOf=%q, want %q", got, tc.want)
			}
		})
	}
}

// The real binary: -ldflags -X main.version wins, and without it the
// version comes from the binary's own build info; --version and version
// print the same.
func TestVersion_Binary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	stamped := filepath.Join(t.TempDir(), "asyncquiz")
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", stamped, ".").CombinedOutput(); err != nil {
		t.Fatalf("build with -ldflags: %v\n%s", err, out)
	}
	plain := buildBinary(t)
	meta, err := exec.Command("go", "version", "-m", plain).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	// The first line is "path: go1.x"; the rest is what ReadBuildInfo returns.
	_, text, _ := strings.Cut(string(meta), "\n")
	bi, err := debug.ParseBuildInfo(strings.ReplaceAll("\n"+text, "\n\t", "\n"))
	if err != nil {
		t.Fatalf("parse build info: %v\n%s", err, meta)
	}
	for bin, want := range map[string]string{stamped: "asyncquiz v9.8.7-test\n", plain: "asyncquiz " + versionOf("", bi) + "\n"} {
		for _, args := range [][]string{{"version"}, {"--version"}} {
			out, err := exec.Command(bin, args...).Output()
			if err != nil || string(out) != want {
				t.Errorf("%s %s: %q, %v; want %q", filepath.Base(filepath.Dir(bin)), args[0], out, err, want)
			}
		}
	}
}

// A binary built from a git checkout names its revision: the working tree
// is committed to a fresh repository and built there with VCS stamping on
// (this worktree's .git is a file, which go build does not stamp from).
func TestVersion_BinaryFromGitCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	files, err := exec.Command("git", "-C", "../..", "ls-files", "-co", "--exclude-standard", "-z").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	repo := t.TempDir()
	for _, f := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(repo, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "snapshot")
	rev := git("rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "asyncquiz")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/asyncquiz")
	build.Dir = repo
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "asyncquiz ") || !strings.Contains(string(out), rev[:12]) {
		t.Fatalf("--version of a binary built at %s: %q, %v; want its revision", rev[:12], out, err)
	}
	if strings.Contains(string(out), "dirty") {
		t.Fatalf("a clean checkout reported as modified: %q", out)
	}
}
