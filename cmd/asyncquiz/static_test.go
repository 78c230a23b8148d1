package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

	// serve starts too, with a non-UTC default zone and no platform reachable.
	addr := freeAddr(t)
	srv := exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$1" /usr/share/zoneinfo && exec "$2" serve`, "sh", empty, bin)
	srv.Env = append(os.Environ(), "ASYNCQUIZ_ADDR="+addr, "ASYNCQUIZ_DB="+filepath.Join(dir, "s.db"), "ASYNCQUIZ_TZ=America/New_York",
		"SLACK_BOT_TOKEN=xoxb-offline", "SLACK_SIGNING_SECRET=s", "SLACK_APP_TOKEN=", "SLACK_API_URL=http://127.0.0.1:9/api/",
		"DISCORD_BOT_TOKEN=", "DISCORD_APP_ID=", "DISCORD_PUBLIC_KEY=")
	var logs lockedBuffer
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	waitFor(t, "serve without host tzdata", 20*time.Second, nil, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Fatalf("serve exited with %v:\n%s", err, logs.String())
	}
}
