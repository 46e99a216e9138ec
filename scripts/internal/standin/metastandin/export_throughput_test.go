package metastandin

import "time"

// SetClock replaces the stand-in's clock, for tests of time windows that must not
// depend on how fast the machine answers.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}
