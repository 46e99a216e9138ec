package domain

import (
	"fmt"
	"time"
)

// JobType names what a job sends.
type JobType string

const (
	JobCreated  JobType = "appointment_created"
	JobReminder JobType = "appointment_reminder"
	JobCanceled JobType = "appointment_canceled"
	// JobReply answers a client's button tap with a free-form session message.
	JobReply JobType = "button_reply"
)

// JobID derives a job's id. Reminders carry the schedule version, so a reschedule
// yields a new job (and a new Cloud Task name); this is the 24-hour reminder's id, and
// ReminderJobID (offsets.go) that of a reminder at any offset.
func JobID(appointmentID string, jt JobType, version int) string {
	if jt == JobReminder {
		return fmt.Sprintf("%s-%s-v%d", appointmentID, jt, version)
	}
	return fmt.Sprintf("%s-%s", appointmentID, jt)
}

// Attempt is one try at sending a job.
type Attempt struct {
	N          int       `firestore:"n"`
	At         time.Time `firestore:"at"`
	Outcome    string    `firestore:"outcome"` // sent, retry, failed, unknown
	HTTPStatus int       `firestore:"http_status,omitempty"`
	ErrorCode  int       `firestore:"error_code,omitempty"`
	Error      string    `firestore:"error,omitempty"`
}

// TimelineEntry is one event in a job's life, shown in the Mensagens panel.
type TimelineEntry struct {
	At     time.Time `firestore:"at"`
	Event  string    `firestore:"event"`
	Detail string    `firestore:"detail,omitempty"`
}

// Job is one WhatsApp message Lembra owes a client.
type Job struct {
	ID            string `firestore:"-"`
	TenantID      string `firestore:"tenant_id"`
	AppointmentID string `firestore:"appointment_id"`
	// ClientName and ClientPhone copy the appointment's client when the job is written
	// with it (store.CreateAppointment, store.UpdateAppointment), so the Mensagens panel
	// lists a job without reading its appointment; older jobs lack them.
	ClientName  string    `firestore:"client_name,omitempty"`
	ClientPhone string    `firestore:"client_phone,omitempty"`
	Type        JobType   `firestore:"type"`
	Status      JobStatus `firestore:"status"`
	// Settled mirrors Status.Final(); the store sets it on every write (store.jobDoc), so
	// the Mensagens panel lists its queue and its history by one equality instead of an
	// `in` over statuses (one index range instead of one per status). Jobs written before
	// the field existed get it from store.BackfillSettled (scripts/tenant -backfill-settled).
	Settled bool `firestore:"settled"`
	// Counted lists the counters the job has added one to (domain.CountTransition; the
	// store sets it on every write with the tenant's counters, store/counters.go).
	Counted []string `firestore:"counted,omitempty"`
	// CountedOn and BillKey are the per-message counts the job records itself instead
	// of adding them to the counter shards (CounterDelta.Split, StampCounts): the day, in
	// the tenant's zone, each of sent, delivered, read and buttons_delivered was counted
	// ("2026-12-01"), and the month, charge and category its pricing was counted under
	// (BillKey). The store sums them with count aggregations.
	CountedOn       map[string]string `firestore:"counted_on,omitempty"`
	BillKey         string            `firestore:"bill_key,omitempty"`
	ScheduledFor    time.Time         `firestore:"scheduled_for"`
	ScheduleVersion int               `firestore:"schedule_version"`
	// AppointmentStartsAt lets the reminder scan skip a reminder whose appointment has
	// started without reading the appointment.
	AppointmentStartsAt time.Time `firestore:"appointment_starts_at,omitempty"`
	// ReminderOffsetMinutes is how long before the appointment a reminder goes out
	// (offsets.go; 0: a reminder stored before offsets existed, the 24-hour one).
	ReminderOffsetMinutes int `firestore:"reminder_offset_minutes,omitempty"`
	// WindowInboundAt is the client message that the 24-hour window decision of a
	// session message (the cancellation notice) rested on.
	WindowInboundAt time.Time `firestore:"window_inbound_at,omitempty"`
	WindowInboundID string    `firestore:"window_inbound_id,omitempty"`

	// Attempts keeps the first and the latest attempts (see AddAttempt);
	// AttemptsOmitted counts those dropped between them.
	Attempts        []Attempt `firestore:"attempts"`
	AttemptsOmitted int       `firestore:"attempts_omitted,omitempty"`
	NextRetryAt     time.Time `firestore:"next_retry_at,omitempty"`
	LeaseUntil      time.Time `firestore:"lease_until,omitempty"`

	DeliveryMode     DeliveryMode `firestore:"delivery_mode,omitempty"`
	TemplateName     string       `firestore:"template_name,omitempty"`
	TemplateLanguage string       `firestore:"template_language,omitempty"`
	Recipient        string       `firestore:"recipient,omitempty"`

	ProviderMessageID string    `firestore:"provider_message_id,omitempty"`
	ProviderStatus    string    `firestore:"provider_status,omitempty"`
	SentAt            time.Time `firestore:"sent_at,omitempty"`

	// Reason explains a skip, a failure or a cancellation: a stable code and a
	// Portuguese text for staff.
	ReasonCode string `firestore:"reason_code,omitempty"`
	Reason     string `firestore:"reason,omitempty"`
	ErrorCode  int    `firestore:"error_code,omitempty"`

	// Text is the body of a session message (replies, cancellation notices).
	Text string `firestore:"text,omitempty"`
	// InboundID is the client message a reply answers.
	InboundID string `firestore:"inbound_id,omitempty"`

	// What Meta reported after the send: when each status came, and a failure's details.
	ProviderStatusTimes map[string]time.Time `firestore:"provider_status_times,omitempty"`
	ErrorTitle          string               `firestore:"error_title,omitempty"`
	ErrorDetails        string               `firestore:"error_details,omitempty"`
	Pricing             *Pricing             `firestore:"pricing,omitempty"`

	// DryRunRequest is the exact request a dry run would have sent.
	DryRunRequest string `firestore:"dry_run_request,omitempty"`

	// Timeline is in the order events happened (see AddEvent), keeping the first and the
	// latest entries; TimelineOmitted counts those dropped between them.
	Timeline        []TimelineEntry `firestore:"timeline"`
	TimelineOmitted int             `firestore:"timeline_omitted,omitempty"`
	CreatedAt       time.Time       `firestore:"created_at"`
	UpdatedAt       time.Time       `firestore:"updated_at"`
}

// Bounds of a job document (Firestore refuses documents over 1 MiB). A job's life is
// short (created, queued, a few retries, sent, delivered, read), so these are only ever
// reached by a job stuck in a loop; with details and errors clipped to MaxStoredText the
// two lists stay under about 130 KiB together.
const (
	TimelineKeepFirst  = 5
	TimelineKeepLatest = 40
	// The attempt limits exceed the most attempts dispatch makes (config allows at most
	// 50 retries, plus the checks after unknown outcomes), so len(Attempts) stays exact
	// in practice; AttemptCount is exact regardless.
	AttemptsKeepFirst  = 10
	AttemptsKeepLatest = 50
)

// AddEvent inserts a timeline entry in the order events happened, not the order they
// arrived: a read reported before its delivered still shows delivered, then read.
// Meta's timestamps have one-second precision, so times are compared to the second;
// within one second, Meta's statuses keep their natural order (sent, delivered, read)
// and everything else its arrival order. The timeline is then capped (CapTimeline).
func (j *Job) AddEvent(at time.Time, event, detail string) {
	j.Timeline, j.TimelineOmitted = InsertEvent(j.Timeline, j.TimelineOmitted, TimelineEntry{
		At: at.UTC(), Event: ClipText(event, maxShortText), Detail: ClipText(detail, MaxStoredText),
	})
	if at.UTC().After(j.UpdatedAt) {
		j.UpdatedAt = at.UTC()
	}
}

// happensBefore reports whether entry a goes before entry b on a timeline.
func happensBefore(a, b TimelineEntry) bool {
	sa, sb := a.At.Truncate(time.Second), b.At.Truncate(time.Second)
	if !sa.Equal(sb) {
		return sa.Before(sb)
	}
	ra, rb := providerRank(JobStatus(a.Event)), providerRank(JobStatus(b.Event))
	return ra > 0 && rb > 0 && ra < rb
}

// InsertEvent places e on the timeline after every entry it does not happen before
// (stable for equal times), then caps the timeline; omitted counts dropped entries.
func InsertEvent(timeline []TimelineEntry, omitted int, e TimelineEntry) ([]TimelineEntry, int) {
	i := len(timeline)
	for i > 0 && happensBefore(e, timeline[i-1]) {
		i--
	}
	timeline = append(timeline, TimelineEntry{})
	copy(timeline[i+1:], timeline[i:])
	timeline[i] = e
	return CapTimeline(timeline, omitted)
}

// CapTimeline keeps the first TimelineKeepFirst and the latest TimelineKeepLatest
// entries, adding the number dropped to omitted.
func CapTimeline(timeline []TimelineEntry, omitted int) ([]TimelineEntry, int) {
	return capList(timeline, omitted, TimelineKeepFirst, TimelineKeepLatest)
}

// AddAttempt records an attempt (its error clipped), keeping the first
// AttemptsKeepFirst and the latest AttemptsKeepLatest.
func (j *Job) AddAttempt(a Attempt) {
	a.Error = ClipText(a.Error, MaxStoredText)
	a.Outcome = ClipText(a.Outcome, maxShortText)
	j.Attempts, j.AttemptsOmitted = capList(append(j.Attempts, a), j.AttemptsOmitted, AttemptsKeepFirst, AttemptsKeepLatest)
}

// AttemptCount is how many attempts the job has made, counting those no longer listed.
func (j *Job) AttemptCount() int { return len(j.Attempts) + j.AttemptsOmitted }

func capList[T any](list []T, omitted, first, latest int) ([]T, int) {
	if len(list) <= first+latest {
		return list, omitted
	}
	drop := len(list) - first - latest
	out := make([]T, 0, first+latest)
	out = append(out, list[:first]...)
	out = append(out, list[first+drop:]...)
	return out, omitted + drop
}

// Finish moves a job to a final status with its reason.
func (j *Job) Finish(at time.Time, status JobStatus, r Reason) {
	j.Status = status
	j.ReasonCode = r.Code
	j.Reason = r.Text
	j.NextRetryAt = time.Time{}
	j.LeaseUntil = time.Time{}
	j.AddEvent(at, string(status), r.Text)
}

// Pricing is what Meta said a message costs (per-message pricing, or the older
// conversation-based model).
type Pricing struct {
	Billable           bool   `firestore:"billable"`
	Model              string `firestore:"model,omitempty"`
	Category           string `firestore:"category,omitempty"`
	Type               string `firestore:"type,omitempty"`
	ConversationID     string `firestore:"conversation_id,omitempty"`
	ConversationOrigin string `firestore:"conversation_origin,omitempty"`
}

// HasEvent reports whether the timeline already holds an event.
func (j *Job) HasEvent(event string) bool {
	for _, e := range j.Timeline {
		if e.Event == event {
			return true
		}
	}
	return false
}

// Reason is why something was not sent (or failed): a stable code for machines and
// a Portuguese sentence for the studio's staff.
type Reason struct {
	Code string
	Text string
}

// E164 matches a phone number in E.164 form (a plus, then 8 to 15 digits).

// MarkQueued records that the job's first task is about to be created: pending becomes
// queued, before the task exists, so that once it does only dispatch writes the job.
// It reports whether it changed the job.
func (j *Job) MarkQueued(at time.Time) bool {
	if j.Status != JobPending {
		return false
	}
	j.Status = JobQueued
	j.AddEvent(at, "queued", "")
	return true
}

// AwaitsFirstTask reports whether the job was marked queued and never tried, so that
// its first task may be missing (an enqueue that failed after the mark).
func (j *Job) AwaitsFirstTask() bool { return j.Status == JobQueued && j.AttemptCount() == 0 }

// RetimeEvent moves the event's timeline entry to an earlier time at, keeping its
// detail, when the entry exists and at is earlier by a second or more (Meta's time
// for what Lembra recorded on arrival). It reports whether it moved it.
func (j *Job) RetimeEvent(event string, at time.Time) bool {
	at = at.UTC()
	for i, e := range j.Timeline {
		if e.Event != event || !at.Truncate(time.Second).Before(e.At.Truncate(time.Second)) {
			continue
		}
		j.Timeline = append(j.Timeline[:i:i], j.Timeline[i+1:]...)
		j.Timeline, j.TimelineOmitted = InsertEvent(j.Timeline, j.TimelineOmitted, TimelineEntry{At: at, Event: e.Event, Detail: e.Detail})
		return true
	}
	return false
}
