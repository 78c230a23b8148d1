// Package quiz is the asyncquiz domain and its storage. It knows nothing of
// Slack or Discord: callers pass plain strings and ids.
//
// Where things live:
//   - lifecycle.go: a round's states (posting, open, revealing, revealed,
//     failed) and every claim and transition; round.go opens rounds and picks
//     questions; close.go closes one early (stop, cancel).
//   - answer.go and writer.go: answers go through one batched writer per
//     process; a click is committed before it is acknowledged.
//   - scores.go, leaderboard.go, streaks.go: points (first answer per
//     question per team), leaderboards kept up to date at each reveal, streaks.
//   - redo.go, drill.go, remind.go: the redo queue, drills and reminders.
//   - items.go, summary.go, stats.go, report.go: item statistics, the weekly
//     summary, personal stats and question reports.
//   - schedule.go, limits.go, admins.go, forget.go: daily schedules, abuse
//     limits, named managers, deleting a person's data.
//   - migrations.go, schema_v1.go: frozen migration steps.
//
// Correctness across replicas is held by the database (unique keys and
// conditional updates), never by process memory.
package quiz
