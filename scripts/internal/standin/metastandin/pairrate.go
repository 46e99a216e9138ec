package metastandin

import "time"

// PairRateWindow is Meta's pair rate: a business number may send about one message
// every 6 seconds to the same WhatsApp user; beyond that the send is refused with
// error 131056, "(Business Account, Consumer Account) pair rate limit hit" (HTTP 400),
// whose solution is to wait and retry for that recipient while other recipients can be
// sent to at once. Meta's error codes and throughput pages:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
// (Meta also lets short bursts borrow future quota; the stand-in is stricter and never
// does.)
const PairRateWindow = 6 * time.Second

type pairKey struct{ phoneNumberID, waID string }

// SetPairRate sets the pair-rate window: a message accepted for a (business number,
// recipient) pair makes every other message to that pair within the window answer
// 131056. 0 (New's default) disables the check; PairRateWindow is Meta's.
func (s *Server) SetPairRate(window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pairWindow = window
}

// pairAllowedLocked reports whether a message to the pair may be accepted at `at`.
func (s *Server) pairAllowedLocked(phoneNumberID, waID string, at time.Time) bool {
	if s.pairWindow <= 0 {
		return true
	}
	last, ok := s.lastToPair[pairKey{phoneNumberID, waID}]
	return !ok || at.Sub(last) >= s.pairWindow
}

// notePairLocked records a message accepted for the pair at `at`. Refused messages
// (131056 or any other error) do not move the window.
func (s *Server) notePairLocked(phoneNumberID, waID string, at time.Time) {
	if s.lastToPair == nil {
		s.lastToPair = map[pairKey]time.Time{}
	}
	s.lastToPair[pairKey{phoneNumberID, waID}] = at
}
