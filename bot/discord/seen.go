package discord

import "sync"

// seenSet remembers recent interaction ids, so a gateway event delivered
// twice (a resume that replays what was already read) gets no second
// callback. It is bounded: two generations of at most seenGeneration ids,
// far more than arrive within an interaction token's 15 minutes at the
// rates one process serves. The bot's durable delivery check stays the
// guarantee; this only keeps the adapter from answering twice.
type seenSet struct {
	mu        sync.Mutex
	cur, prev map[string]struct{}
}

const seenGeneration = 1 << 16

// first records id and reports whether it was new.
func (s *seenSet) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cur[id]; ok {
		return false
	}
	if _, ok := s.prev[id]; ok {
		return false
	}
	if s.cur == nil || len(s.cur) >= seenGeneration {
		s.prev, s.cur = s.cur, make(map[string]struct{})
	}
	s.cur[id] = struct{}{}
	return true
}
