package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An operator closes a round from the CLI; the next process that reveals
// (here play) shows it cancelled.
func TestRoundsClose_Cancel(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if code, out, errs := runCmd(t, "/asyncquiz start 1h\n", "play", "--db", db, "--user", "ada"); code != 0 || !strings.Contains(out, "stays open") {
		t.Fatalf("start: exit %d\n%s\n%s", code, out, errs)
	}
	for _, bad := range [][]string{{"rounds", "close"}, {"rounds", "close", "x"}, {"rounds", "close", "0"}} {
		if code, _, errs := runCmd(t, "", append(bad, "--db", db)...); code == 0 || !strings.Contains(errs, "round's id") {
			t.Fatalf("%v: exit %d, %q", bad, code, errs)
		}
	}
	if code, _, errs := runCmd(t, "", "rounds", "close", "99", "--db", db); code == 0 || !strings.Contains(errs, "round 99 is not open") {
		t.Fatalf("unknown round: exit %d, %q", code, errs)
	}
	code, out, errs := runCmd(t, "", "rounds", "close", "1", "--cancel", "--db", db)
	if code != 0 || !strings.Contains(out, "Round 1 in console local terminal is cancelled") {
		t.Fatalf("close: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runCmd(t, "", "rounds", "close", "--db", db, "1"); code == 0 || !strings.Contains(errs, "not open") && !strings.Contains(errs, "already closed") {
		t.Fatalf("second close: exit %d, %q", code, errs)
	}
	code, out, errs = runCmd(t, "/asyncquiz stats\n", "play", "--db", db, "--user", "ada")
	if code != 0 || !strings.Contains(out, "ada cancelled this round") && !strings.Contains(out, "cancelled this round") {
		t.Fatalf("reveal after cancel: exit %d\n%s\n%s", code, out, errs)
	}
}

// forget deletes one person's data and nobody else's.
func TestForget(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, user := range []string{"ada", "bob"} {
		if code, _, errs := runCmd(t, "/asyncquiz drill 2\nA\nB\n", "play", "--db", db, "--user", user); code != 0 {
			t.Fatalf("drill as %s: %s", user, errs)
		}
	}
	if code, _, errs := runCmd(t, "", "forget", "--db", db, "--user", "ada"); code == 0 || !strings.Contains(errs, "--team and --user are required") {
		t.Fatalf("no team: exit %d %q", code, errs)
	}
	code, out, errs := runCmd(t, "", "forget", "--db", db, "--team", "local", "--user", "ada")
	if code != 0 || !strings.Contains(out, "Forgot ada in local") {
		t.Fatalf("forget: exit %d\n%s\n%s", code, out, errs)
	}
	if _, out, _ := runCmd(t, "/asyncquiz stats\n", "play", "--db", db, "--user", "ada"); !strings.Contains(out, "No answers yet") && !strings.Contains(out, "0 answers") {
		t.Fatalf("ada's stats after forget:\n%s", out)
	}
	if _, out, _ := runCmd(t, "/asyncquiz stats\n", "play", "--db", db, "--user", "bob"); !strings.Contains(out, "2 answers") {
		t.Fatalf("bob's stats after forgetting ada:\n%s", out)
	}
}
