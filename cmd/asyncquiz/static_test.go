package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The release binary is static (CGO_ENABLED=0) and carries its own time
// zone data: with the host's zoneinfo hidden, time zones still resolve.
func TestStaticBinary_EmbeddedTimeZones(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "asyncquiz")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	if out, err := exec.Command("file", bin).Output(); err == nil && !strings.Contains(string(out), "statically linked") {
		t.Fatalf("binary is not static: %s", out)
	}
	empty := t.TempDir()
	script := `mount --bind "$1" /usr/share/zoneinfo && exec "$2" play --db "$3" --tz America/New_York`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script, "sh", empty, bin, filepath.Join(dir, "q.db"))
	cmd.Stdin = strings.NewReader("/asyncquiz daily 09:30 Europe/Berlin weekdays 4h\n/asyncquiz daily\n")
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "mount") {
		t.Skipf("cannot hide the host's zoneinfo here (needs a mount namespace): %s", out)
	}
	if err != nil {
		t.Fatalf("play without host tzdata: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Europe/Berlin") || !strings.Contains(string(out), "CET") {
		t.Fatalf("time zones did not resolve without host tzdata:\n%s", out)
	}
}
