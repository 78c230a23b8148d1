package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is the asyncquiz serve process under load: one this tool started,
// or one already running (-target), which it only talks to.
type server struct {
	URL string // http://127.0.0.1:port
	PID int    // 0 when unknown (a -target without -pid)

	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
	logs    logCounts
}

// logCounts counts the server's log lines by level (JSON logs).
type logCounts struct {
	mu            sync.Mutex
	warn, errs    int
	firstErrors   []string
	listenAddress chan string
}

func (l *logCounts) line(s string) {
	var rec struct {
		Level, Msg, Addr, Error string
	}
	if json.Unmarshal([]byte(s), &rec) != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch rec.Level {
	case "WARN":
		l.warn++
	case "ERROR":
		l.errs++
		if len(l.firstErrors) < 5 {
			l.firstErrors = append(l.firstErrors, strings.TrimSpace(rec.Msg+": "+rec.Error))
		}
	}
	if rec.Msg == "Serving" && rec.Addr != "" {
		select {
		case l.listenAddress <- rec.Addr:
		default:
		}
	}
}

// moduleRoot finds the directory of go.mod from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run loadgen from the asyncquiz module, or pass -bin")
		}
		dir = parent
	}
}

// buildServer compiles ./cmd/asyncquiz into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "asyncquiz")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/asyncquiz")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/asyncquiz: %w\n%s", err, out)
	}
	return bin, nil
}

// startServer runs bin serve with env (and nothing else of this process's
// environment but PATH and HOME), logging to logPath, and returns once it
// answers /readyz.
func startServer(ctx context.Context, bin string, env []string, logPath string) (*server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stdout = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s := &server{PID: cmd.Process.Pid, cmd: cmd, exited: make(chan struct{})}
	s.logs.listenAddress = make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(io.TeeReader(stderr, logFile))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.logs.line(sc.Text())
		}
		io.Copy(logFile, stderr)
	}()
	go func() {
		<-scanned
		s.exitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	select {
	case addr := <-s.logs.listenAddress:
		s.URL = "http://" + addr
	case <-s.exited:
		return nil, fmt.Errorf("asyncquiz serve exited at start (%v); see %s", s.exitErr, logPath)
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, fmt.Errorf("asyncquiz serve did not start listening within 30 s; see %s", logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	if err := waitReady(ctx, s.URL, 30*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; see %s", err, logPath)
	}
	return s, nil
}

// waitReady polls /readyz until it answers 200: a process outside this one
// gives no other signal.
func waitReady(ctx context.Context, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server at %s not ready after %v (%s)", base, limit, last)
}

// stop asks the server to finish (SIGTERM; it has 20 s of grace) and kills
// it if it has not exited 5 s after that.
func (s *server) stop() error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return s.exitErr
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.exitErr
	case <-time.After(25 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		return errors.New("asyncquiz serve did not exit within 25 s of SIGTERM; killed")
	}
}

// memory is a process's resident set, from /proc/PID/status, in bytes.
type memory struct {
	RSS, Peak int64 // VmRSS, VmHWM
}

func readMemory(pid int) (memory, error) {
	if pid == 0 {
		return memory{}, errors.New("no pid")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n << 10
		case "VmHWM":
			m.Peak = n << 10
		}
	}
	return m, nil
}

// cpuSeconds is a process's user+system CPU time so far, from
// /proc/PID/stat (clock ticks of 1/100 s, as on every Linux we run on).
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields start after its ')'.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseFloat(f[11], 64)
	sys, _ := strconv.ParseFloat(f[12], 64)
	return (user + sys) / 100
}

// machineTicks reads the machine's busy and total CPU time from /proc/stat
// (all cores, clock ticks): the load, the server, its database and this
// tool all count, which says whether the box itself ran out of CPU.
func machineTicks() (busy, total float64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// goroutines scrapes go_goroutines from the server's /metrics (0 when it
// cannot).
func goroutines(client *http.Client, base string) int {
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			io.Copy(io.Discard, resp.Body)
			return int(f)
		}
	}
	return 0
}

// listenerPID finds the process listening on the TCP port (for -target
// without -pid): the socket's inode in /proc/net/tcp*, then the process
// holding it. 0 when not found (another user's process, say).
func listenerPID(port int) int {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && inodes[link] {
				pid, _ := strconv.Atoi(strings.Split(dir, "/")[2])
				return pid
			}
		}
	}
	return 0
}
