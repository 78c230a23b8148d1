//go:build unix

package main

import "syscall"

// maxConns leaves half the process's file descriptors (the database, the
// platforms, the log) free of inbound connections, within sane bounds.
func maxConns() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur == 0 {
		return 1024
	}
	return int(min(max(r.Cur/2, 64), 16384))
}
