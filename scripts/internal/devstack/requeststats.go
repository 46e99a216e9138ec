package devstack

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// RequestStat is what the stack's HTTP server served for one function: how many
// requests, and their wall time added up (what Cloud Run bills an instance serving
// one request at a time; with several at once it bills less).
type RequestStat struct {
	Count int64
	Total time.Duration
}

// requestStats counts the stack's requests by function (the first path segment:
// api, dispatch, webhook, events, reminders, voucher).
type requestStats struct {
	mu sync.Mutex
	by map[string]RequestStat
}

func (rs *requestStats) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		fn, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		rs.mu.Lock()
		if rs.by == nil {
			rs.by = map[string]RequestStat{}
		}
		st := rs.by[fn]
		st.Count++
		st.Total += time.Since(start)
		rs.by[fn] = st
		rs.mu.Unlock()
	})
}

// RequestStats returns what the stack's functions served so far, by function.
func (s *Stack) RequestStats() map[string]RequestStat {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	out := make(map[string]RequestStat, len(s.requests.by))
	for k, v := range s.requests.by {
		out[k] = v
	}
	return out
}
