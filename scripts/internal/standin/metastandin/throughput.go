package metastandin

import (
	"math"
	"slices"
	"time"
)

// Meta's per-number throughput: a registered business number handles up to 80 messages
// per second by default; a number that stays on the WhatsApp Business app
// (coexistence) has a fixed 20 per second. Beyond it the send is refused with error
// 130429, "Rate limit hit" (HTTP 400), until the number is back within its level.
// https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
// (Meta counts inbound and outbound messages together and upgrades numbers to 1,000/s;
// the stand-in counts the sends it accepts and never upgrades.)
//
// Meta gives the level as messages per second without saying over which window it
// measures. The stand-in reads it as a token bucket that holds one second of sends:
// up to the cap at once after a quiet second, the cap per second sustained.
const (
	ThroughputCloudAPI    = 80
	ThroughputCoexistence = 20
)

// bucket is one number's throughput allowance: tokens at `at`.
type bucket struct {
	tokens float64
	at     time.Time
}

// refill brings b to `at` for a cap of limit per second.
func (b *bucket) refill(limit int, at time.Time) {
	if b.at.IsZero() {
		b.tokens, b.at = float64(limit), at
		return
	}
	if at.After(b.at) {
		b.tokens = min(float64(limit), b.tokens+at.Sub(b.at).Seconds()*float64(limit))
		b.at = at
	}
}

// SetThroughput overrides the cap of one number, in accepted sends per second (the bucket's size and refill);
// perSecond ≤ 0 removes the override (the number is back to its kind's cap, scaled by
// SetThroughputScale). The override survives AddNumber and Reset.
func (s *Server) SetThroughput(phoneNumberID string, perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.throughputOverride, phoneNumberID)
		return
	}
	if s.throughputOverride == nil {
		s.throughputOverride = map[string]int{}
	}
	s.throughputOverride[phoneNumberID] = perSecond
}

// SetThroughputScale scales the caps by kind (80/s, 20/s for coexistence) of every
// number without an override, for tests that run at scaled-down caps: 1 (New's
// default) is Meta's, 0.1 gives 8/s and 2/s (rounded, at least 1); 0 or less turns the
// caps by kind off (overrides still apply).
func (s *Server) SetThroughputScale(scale float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throughputScale = scale
}

// Throughput returns a number's cap in accepted sends per second; 0 means no cap.
func (s *Server) Throughput(phoneNumberID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throughputLocked(phoneNumberID)
}

func (s *Server) throughputLocked(phoneNumberID string) int {
	if n, ok := s.throughputOverride[phoneNumberID]; ok {
		return n
	}
	return scaledCap(s.numbers[phoneNumberID].Coexistence, s.throughputScale)
}

// scaledCap is the cap of a number by its kind, scaled; 0 (no cap) when scale ≤ 0.
func scaledCap(coexistence bool, scale float64) int {
	if scale <= 0 {
		return 0
	}
	base := ThroughputCloudAPI
	if coexistence {
		base = ThroughputCoexistence
	}
	return max(1, int(math.Round(float64(base)*scale)))
}

// throughputAllowedLocked reports whether the number may have one more send accepted
// at `at`: a token is left in its bucket. A refusal is counted in Throttled.
func (s *Server) throughputAllowedLocked(phoneNumberID string, at time.Time) bool {
	limit := s.throughputLocked(phoneNumberID)
	if limit <= 0 {
		return true
	}
	b := s.bucketLocked(phoneNumberID)
	b.refill(limit, at)
	if b.tokens >= 1 {
		return true
	}
	if s.throttled == nil {
		s.throttled = map[string]int{}
	}
	s.throttled[phoneNumberID]++
	return false
}

func (s *Server) bucketLocked(phoneNumberID string) *bucket {
	if s.buckets == nil {
		s.buckets = map[string]*bucket{}
	}
	b := s.buckets[phoneNumberID]
	if b == nil {
		b = &bucket{}
		s.buckets[phoneNumberID] = b
	}
	return b
}

// noteSendLocked takes a token for a send accepted for the number at `at`. Refused
// sends (130429 or any other error) take none.
func (s *Server) noteSendLocked(phoneNumberID string, at time.Time) {
	limit := s.throughputLocked(phoneNumberID)
	if limit <= 0 {
		return
	}
	b := s.bucketLocked(phoneNumberID)
	b.refill(limit, at)
	b.tokens--
}

// ThroughputStat is one number's throughput as the stand-in enforces it.
type ThroughputStat struct {
	PhoneNumberID string `json:"phone_number_id"`
	Coexistence   bool   `json:"coexistence"`
	PerSecond     int    `json:"per_second"` // the cap; 0: none
	Throttled     int    `json:"throttled"`  // sends answered 130429 by the cap since the last Reset
}

// ThroughputStats lists every known number (and any number throttled since), by phone
// number id, with its cap and how many sends the cap refused with 130429 since the
// last Reset (queued faults are not counted).
func (s *Server) ThroughputStats() []ThroughputStat {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.numbers))
	for id := range s.numbers {
		ids = append(ids, id)
	}
	for id := range s.throttled {
		if _, ok := s.numbers[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]ThroughputStat, 0, len(ids))
	for _, id := range ids {
		out = append(out, ThroughputStat{PhoneNumberID: id, Coexistence: s.numbers[id].Coexistence,
			PerSecond: s.throughputLocked(id), Throttled: s.throttled[id]})
	}
	return out
}

// Throttled returns how many sends of the number the cap refused with 130429 since the
// last Reset.
func (s *Server) Throttled(phoneNumberID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled[phoneNumberID]
}
