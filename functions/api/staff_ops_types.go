package api

import "time"

// The owner's operations' requests and answers (staff_ops.go); their JSON names are the
// contract (docs/openapi.json, TestOpenAPIMatchesTypes).

// JobActionRequest is the body of POST /v1/staff/jobs/{id}/actions.
type JobActionRequest struct {
	// Action is fail, discard, retry or send_now.
	Action string `json:"action"`
	// Reason is the owner's words (3 to 500 characters), recorded on the job.
	Reason string `json:"reason"`
}

// StaffAuditEntry is who did what to a job, when and why, as its timeline records it
// (the timeline event Event, its detail naming the owner and her reason).
type StaffAuditEntry struct {
	At      time.Time `json:"at"`
	AtLocal string    `json:"at_local"`
	By      string    `json:"by"`
	Action  string    `json:"action"`
	Reason  string    `json:"reason"`
	Event   string    `json:"event"`
}

// JobActionResponse is the answer of an action: the job's status afterwards, the audit
// entry and the job as GET /v1/staff/jobs/{id} shows it.
type JobActionResponse struct {
	Action string           `json:"action"`
	Status string           `json:"status"`
	Audit  StaffAuditEntry  `json:"audit"`
	Job    StaffJobResponse `json:"job"`
}

// DrainPreviewRequest is the body of POST /v1/staff/queue/drain/preview: the selection.
type DrainPreviewRequest struct {
	Types         []string `json:"types,omitempty"`
	OlderThanDays *int     `json:"older_than_days,omitempty"`
	ClientPhone   string   `json:"client_phone,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
}

// DrainPreviewResponse counts the jobs a drain would mark (CountCapped: more than
// Count) and shows the first of them, soonest time first.
type DrainPreviewResponse struct {
	Count       int           `json:"count"`
	CountCapped bool          `json:"count_capped"`
	Sample      []MessageCard `json:"sample"`
}

// DrainRequest is the body of POST /v1/staff/queue/drain: the selection of the
// preview, what to do (fail or skip), the reason, and the client's id for the drain
// (the same id resumes it; a new one starts another).
type DrainRequest struct {
	Types         []string `json:"types,omitempty"`
	OlderThanDays *int     `json:"older_than_days,omitempty"`
	ClientPhone   string   `json:"client_phone,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
	Action        string   `json:"action"`
	Reason        string   `json:"reason"`
	DrainID       string   `json:"drain_id"`
}

// DrainResponse is what one run of a drain did: jobs marked now, jobs the drain had
// marked before, jobs the rules would not mark (e.g. sent meanwhile), transactions
// committed, and whether the run stopped before the end (run it again to go on).
type DrainResponse struct {
	DrainID string `json:"drain_id"`
	Action  string `json:"action"`
	Marked  int    `json:"marked"`
	Already int    `json:"already"`
	Refused int    `json:"refused"`
	Batches int    `json:"batches"`
	More    bool   `json:"more"`
}

// ScanSettingsRequest is the body of PUT /v1/staff/settings/scan.
type ScanSettingsRequest struct {
	Paused *bool  `json:"paused"`
	Reason string `json:"reason"`
}

// ScanSettingsResponse is the studio's reminder scan pause as stored.
type ScanSettingsResponse struct {
	Paused bool `json:"paused"`
	// Reason, By and At are the last pause or resume (absent when the scan was never
	// paused).
	Reason  string    `json:"reason,omitempty"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
	AtLocal string    `json:"at_local,omitempty"`
}
