package queue

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"

	"github.com/lembra-app/lembra/shared/domain"
)

// Lane is one of a tenant's two send queues. Every tenant (one business number) has
// its own pair, so one tenant's backlog never waits behind another's; within a tenant
// the lanes keep a booking notice or an answer from waiting behind a burst of
// reminders, because Cloud Tasks dispatches each queue at its own rate.
type Lane string

const (
	// LaneNow carries what a person is waiting for: booking notices, cancellation
	// notices, answers to a client's tap.
	LaneNow Lane = "now"
	// LaneReminders carries the reminders, which are due hours ahead of the
	// appointment and can wait seconds for a notice.
	LaneReminders Lane = "rem"
)

// Lanes lists the lanes, in a stable order.
var Lanes = []Lane{LaneNow, LaneReminders}

// LaneOf is the lane a job of type jt is sent through; its retries and checks go
// through the same lane.
func LaneOf(jt domain.JobType) Lane {
	if jt == domain.JobReminder {
		return LaneReminders
	}
	return LaneNow
}

// Pacing turns a number's throughput cap (messages per second, domain.WhatsApp.Cap)
// into the dispatch rates of its two queues.
//
// Meta refuses sends above the number's cap with 130429 ("Cloud API message
// throughput has been reached"):
// https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
// A Cloud Tasks queue dispatches by a token bucket refilled at max_dispatches_per_second
// (https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2#ratelimits),
// so two queues together never exceed the sum of their rates, sustained.
//
//   - NowShare of the cap is the notice lane's rate: what a burst of booking notices
//     (an import of thousands of appointments) reaches when nothing else is sent.
//   - ReminderShare of the cap is the reminder lane's rate, always available to the
//     reminders, however many notices wait.
//
// Their sum stays below 1, and the rest is the margin for what the rates do not
// control: dispatches that reach Meta bunched (a slow instance, a network pause),
// answers and inbound messages, which Meta counts against the same cap.
type Pacing struct {
	NowShare      float64
	ReminderShare float64
}

// DefaultPacing: notices at 95 % of the cap (5 % margin when only they are sent, the
// common burst: an import), reminders at 4 %, 1 % left when both lanes are full. For
// a coexistence number (20/s) that is 19/s and 0.8/s; for a Cloud API number (80/s),
// 76/s and 3.2/s; for an upgraded one (1,000/s), 500/s (a queue's ceiling) and 40/s.
var DefaultPacing = Pacing{NowShare: 0.95, ReminderShare: 0.04}

// MaxQueueRate is Cloud Tasks' ceiling for max_dispatches_per_second
// (https://cloud.google.com/tasks/docs/quotas: "Maximum rate of dispatches per queue: 500").
const MaxQueueRate = 500

// Valid reports whether the shares are usable: each above zero and together below one.
func (p Pacing) Valid() bool {
	return p.NowShare > 0 && p.ReminderShare > 0 && p.NowShare+p.ReminderShare <= 1
}

// Rate is the dispatches per second of lane for a number capped at capPerSecond
// (at most MaxQueueRate; a cap of zero or less is taken as the coexistence cap, the
// lowest Meta sets).
func (p Pacing) Rate(capPerSecond int, lane Lane) float64 {
	if capPerSecond <= 0 {
		capPerSecond = domain.ThroughputCoexistence
	}
	share := p.NowShare
	if lane == LaneReminders {
		share = p.ReminderShare
	}
	// Cents of a dispatch per second, rounded down (the epsilon keeps 3 × 0.95 at 2.85
	// despite binary fractions).
	r := math.Floor(float64(capPerSecond)*share*100+1e-9) / 100
	return min(max(r, 0.01), MaxQueueRate)
}

// Concurrency is the lane's max_concurrent_dispatches: enough for a second's worth of
// dispatches to be in flight at once (each waits for Meta's answer, under a second
// when Meta is well), and never fewer than 2.
func Concurrency(rate float64) int32 {
	return int32(max(2, math.Ceil(rate)))
}

// QueueID is the Cloud Tasks queue id of a tenant's lane: the prefix, the lane, the
// tenant id as far as queue ids allow ([A-Za-z0-9-], up to 100 characters), and a
// hash of the whole id, so two tenants never share a queue whatever their ids.
func QueueID(prefix, tenantID string, lane Lane) string {
	sum := sha256.Sum256([]byte(tenantID))
	readable := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return '-'
	}, tenantID)
	if len(readable) > 40 {
		readable = readable[:40]
	}
	return prefix + "-" + string(lane) + "-" + readable + "-" + hex.EncodeToString(sum[:6])
}
