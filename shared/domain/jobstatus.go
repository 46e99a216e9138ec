package domain

// JobStatus is where a job is in its life.
type JobStatus string

const (
	JobPending JobStatus = "pending" // waiting for its time or its retry
	JobQueued  JobStatus = "queued"  // a Cloud Task exists for it
	JobSending JobStatus = "sending" // claimed by a dispatch; the send is under way
	// JobUnknown: the request reached Meta but its answer was lost. The job waits for a
	// status webhook naming it before it is tried again.
	JobUnknown   JobStatus = "unknown"
	JobSent      JobStatus = "sent"
	JobDelivered JobStatus = "delivered"
	JobRead      JobStatus = "read"
	JobFailed    JobStatus = "failed"
	// JobSkipped: not sent by a rule (mode, allowlist, kill switch, appointment canceled
	// or rescheduled, window closed, …); the reason says which.
	JobSkipped JobStatus = "skipped"
)

// The rules of a job's status live here, in one place: which statuses are final, which
// jobs a cancel, a reschedule or the reminder scan may still skip, and how the statuses
// Meta reports for a sent message move a job.

// Final reports whether nothing more will be sent for a job in this status: Meta took
// the message (sent, delivered, read), it failed, or a rule skipped it.
func (s JobStatus) Final() bool {
	switch s {
	case JobSent, JobDelivered, JobRead, JobFailed, JobSkipped:
		return true
	}
	return false
}

// Unsent reports whether nothing of the job has gone out and no send is under way
// (pending or queued): only such a job is skipped by a cancel, a reschedule or the
// reminder scan. A job being sent, or whose outcome is unknown, is left to dispatch.
func (s JobStatus) Unsent() bool {
	return s == JobPending || s == JobQueued
}

// providerOrder is the order of the statuses Meta reports for a message that went out.
var providerOrder = []JobStatus{JobSent, JobDelivered, JobRead}

// providerRank is a status's place in providerOrder (1 for sent), 0 for any other status.
func providerRank(s JobStatus) int {
	for i, p := range providerOrder {
		if p == s {
			return i + 1
		}
	}
	return 0
}

// Reported is the status a job in status s moves to when Meta reports r (sent,
// delivered, read or failed) for its message. The rules, in order:
//
//  1. failed beats everything but delivered and read: a message Meta said it delivered
//     stays delivered (or read) whatever comes after, and a failed job stays failed.
//  2. A failed or skipped job stays so: a late sent, delivered or read changes nothing.
//  3. Otherwise a job only moves forward along sent → delivered → read (a read without
//     its delivered goes straight to read; the delivered that comes late changes
//     nothing); a job before sent (pending, queued, sending, unknown) moves to any of them.
//
// Any other r changes nothing.
func (s JobStatus) Reported(r JobStatus) JobStatus {
	switch {
	case r == JobFailed:
		if s == JobDelivered || s == JobRead {
			return s
		}
		return JobFailed
	case s == JobFailed || s == JobSkipped:
		return s
	case providerRank(r) > providerRank(s):
		return r
	}
	return s
}
