// Package schedule runs asyncquiz's background work: the reveal loop that
// closes rounds at their deadline (and daily channel schedules).
package schedule
