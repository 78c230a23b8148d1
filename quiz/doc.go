// Package quiz is the asyncquiz domain and its storage: rounds, answers,
// scoring, leaderboards, redo queues, drills and stats. It knows nothing of
// Slack or Discord: callers pass plain strings and ids.
//
// Correctness across replicas is held by the database (unique keys and
// conditional updates), never by process memory.
package quiz
