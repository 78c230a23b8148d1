// Package schedule holds asyncquiz's two background loops. They only decide
// when work is due and sleep until then; the work itself (posting,
// refreshing and revealing rounds) is bot.Rounds'. The Scheduler finds the
// daily rounds that are due, once a minute and whenever a schedule changes
// here; the Revealer wakes at the next deadline and runs what is due.
package schedule
