//go:build race

package schedule_test

// raceEnabled: the race detector slows SQLite about twentyfold, so load
// tests use fewer rows under it (CI runs this package with -race too).
const raceEnabled = true
