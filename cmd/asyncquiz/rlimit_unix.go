//go:build unix

package main

import "syscall"

// maxConns leaves half the process's file descriptors (the database, the
// platforms, the log) free of inbound connections, and at most
// connsCeiling.
func maxConns() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur == 0 {
		return connsCeiling
	}
	return int(min(max(r.Cur/2, 64), connsCeiling))
}
