package taskstandin

import "sync/atomic"

// createFaults counts CreateTask calls still to refuse.
type createFaults struct{ n atomic.Int64 }

// take consumes one refusal, if any is left.
func (f *createFaults) take() bool {
	for {
		n := f.n.Load()
		if n <= 0 {
			return false
		}
		if f.n.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// FailCreates makes the next n CreateTask calls fail with UNAVAILABLE, as Cloud Tasks
// does during an outage, so tests can prove that nothing committed is lost.
func (s *Server) FailCreates(n int) { s.faults.n.Store(int64(n)) }
