package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// The owner's operations on the queue (owner only; another tenant's job id is 404):
//   - POST /v1/staff/jobs/{id}/actions: fail, discard, retry or send_now one job, with a
//     reason, decided by dispatch.DecideAction in one transaction (store.ActOnJob) and
//     recorded on the job's timeline with who and when;
//   - POST /v1/staff/queue/drain/preview and POST /v1/staff/queue/drain: count and show
//     the jobs a selection picks, then mark them all failed or skipped in batches of at
//     most drainBatch jobs per transaction, idempotent by the client's drain_id;
//   - PUT /v1/staff/settings/scan: pause or resume the reminder scan for the studio.

// Bounds of the queue drain.
const (
	drainBatch      = 200    // jobs per transaction
	drainMaxBatches = 100    // batches per request; a bigger drain answers more: true
	drainCountMax   = 10_000 // the preview counts up to this many
	drainSampleSize = 10
	maxDrainDays    = 3650
)

var drainIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func (s *server) staffOpsRoutes() []route {
	owner := []domain.StaffRole{domain.RoleOwner}
	return []route{
		{pattern: "POST /v1/staff/jobs/{id}/actions", staff: s.staffJobAction, roles: owner},
		{pattern: "POST /v1/staff/queue/drain/preview", staff: s.staffDrainPreview, roles: owner},
		{pattern: "POST /v1/staff/queue/drain", staff: s.staffDrain, roles: owner},
		{pattern: "PUT /v1/staff/settings/scan", staff: s.staffScanSettings, roles: owner},
	}
}

// actionReason checks the owner's reason (dispatch.ActionReason) for the API.
func actionReason(raw string) (string, error) {
	reason, problem := dispatch.ActionReason(raw)
	switch {
	case problem == "":
		return reason, nil
	case strings.TrimSpace(raw) == "":
		return "", web.FieldError("reason", "required", "%s", problem)
	case len([]rune(strings.TrimSpace(raw))) > dispatch.MaxActionReason:
		return "", web.FieldError("reason", "too_long", "%s", problem)
	}
	return "", web.FieldError("reason", "invalid_value", "%s", problem)
}

func refused(text string) error {
	return &domain.ConflictError{Code: "action_refused", Message: text}
}

// staffJobAction applies one owner's action to a job.
func (s *server) staffJobAction(w http.ResponseWriter, r *http.Request, st Staff) error {
	id := r.PathValue("id")
	if !jobIDPattern.MatchString(id) {
		return web.Errorf(http.StatusNotFound, "not_found", "no job %q", id)
	}
	var req JobActionRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	action := dispatch.Action(req.Action)
	switch {
	case req.Action == "":
		return web.FieldError("action", "required", "action is required: fail, discard, retry or send_now")
	case !slices.Contains(dispatch.Actions, action):
		return web.FieldError("action", "invalid_value", "action must be fail, discard, retry or send_now")
	}
	reason, err := actionReason(req.Reason)
	if err != nil {
		return err
	}
	ctx, tid, now := r.Context(), st.Tenant.ID, s.env.Now().UTC()
	var d dispatch.ActionDecision
	var before domain.Job
	job, changed, err := s.store.ActOnJob(ctx, tid, id, func(j *domain.Job, apt *domain.Appointment) *domain.Job {
		before = *j
		d = dispatch.DecideAction(dispatch.ActionInput{Job: j, Appointment: apt, Action: action, Reason: reason,
			By: st.Email, Retry: s.env.Config.Retry(), Now: now})
		return d.Job
	})
	if errors.Is(err, domain.ErrNotFound) {
		return web.Errorf(http.StatusNotFound, "not_found", "no job %q", id)
	}
	if err != nil {
		return err
	}
	if !changed {
		s.env.Log.InfoContext(ctx, "job action refused", "tenant_id", tid, "job_id", id, "uid", st.UID, "action", req.Action, "refusal", d.Code)
		return refused(d.Refusal)
	}
	if d.Enqueue != nil {
		if _, err := queue.EnqueueJob(ctx, s.booking.Tasks, tid, id, job.Type, d.Enqueue.Purpose, time.Time{}); err != nil {
			s.env.Log.ErrorContext(ctx, "job action not queued; undone", "tenant_id", tid, "job_id", id, "action", req.Action, "error", err.Error())
			s.undoAction(r, tid, id, &before, job)
			return web.Errorf(http.StatusServiceUnavailable, "queue_unavailable", "%s", ptbr.TextActionEnqueueFailed)
		}
	}
	s.env.Log.InfoContext(ctx, "job action", "tenant_id", tid, "job_id", id, "uid", st.UID, "action", req.Action, "status", string(job.Status))
	pj := store.PanelJob{Job: job}
	var apt *domain.Appointment
	if job.AppointmentID != "" {
		apts, err := s.store.AppointmentsByID(ctx, tid, []string{job.AppointmentID})
		if err != nil {
			return err
		}
		apt = apts[job.AppointmentID]
	}
	loc := st.Tenant.Location()
	web.WriteJSON(w, http.StatusOK, JobActionResponse{
		Action: req.Action, Status: string(job.Status),
		Audit: StaffAuditEntry{At: now, AtLocal: localTime(now, loc), By: st.Email, Action: req.Action, Reason: reason,
			Event: dispatch.ActionEvent(action)},
		Job: NewStaffJobResponse(pj, apt, nil, st.Tenant, loc),
	})
	return nil
}

// undoAction puts back a job whose retry or send-now task could not be created, if no
// one changed it since (its status and attempts as the action left them), keeping the
// action and the undo on its timeline.
func (s *server) undoAction(r *http.Request, tenantID, jobID string, before, after *domain.Job) {
	now := s.env.Now().UTC()
	_, _, err := s.store.ActOnJob(r.Context(), tenantID, jobID, func(j *domain.Job, _ *domain.Appointment) *domain.Job {
		// Firestore keeps times to the microsecond.
		if j.Status != after.Status || j.AttemptCount() != after.AttemptCount() ||
			!j.ScheduledFor.Truncate(time.Microsecond).Equal(after.ScheduledFor.Truncate(time.Microsecond)) {
			return nil
		}
		c := *j
		c.Status, c.ScheduledFor = before.Status, before.ScheduledFor
		c.ReasonCode, c.Reason = before.ReasonCode, before.Reason
		c.AddEvent(now, "enqueue_failed", ptbr.TextActionEnqueueFailed)
		return &c
	})
	if err != nil {
		s.env.Log.ErrorContext(r.Context(), "could not undo a job action", "tenant_id", tenantID, "job_id", jobID, "error", err.Error())
	}
}

// drainStatuses are the statuses a drain may select, and its default.
var (
	drainStatuses        = []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobUnknown, domain.JobSending}
	defaultDrainStatuses = []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobUnknown}
	drainTypes           = []domain.JobType{domain.JobCreated, domain.JobReminder, domain.JobCanceled, domain.JobReply}
)

// DrainSelection turns a drain's selector into the store's, checking each part.
// older_than_days N keeps the jobs whose time (scheduled_for) is more than N days
// before now.
func DrainSelection(types []string, olderThanDays *int, clientPhone string, statuses []string, now time.Time) (store.DrainSelector, error) {
	var sel store.DrainSelector
	for _, t := range types {
		jt := domain.JobType(t)
		if !slices.Contains(drainTypes, jt) {
			return sel, web.FieldError("types", "invalid_value", "unknown job type %q: use appointment_created, appointment_reminder, appointment_canceled or button_reply", t)
		}
		if !slices.Contains(sel.Types, jt) {
			sel.Types = append(sel.Types, jt)
		}
	}
	for _, st := range statuses {
		js := domain.JobStatus(st)
		if !slices.Contains(drainStatuses, js) {
			return sel, web.FieldError("statuses", "invalid_value", "a drain selects jobs of the queue: pending, queued, unknown or sending, not %q", st)
		}
		if !slices.Contains(sel.Statuses, js) {
			sel.Statuses = append(sel.Statuses, js)
		}
	}
	if len(sel.Statuses) == 0 {
		sel.Statuses = defaultDrainStatuses
	}
	if olderThanDays != nil {
		if *olderThanDays < 0 || *olderThanDays > maxDrainDays {
			return sel, web.FieldError("older_than_days", "invalid_value", "older_than_days must be 0 to %d", maxDrainDays)
		}
		sel.Before = now.Add(-time.Duration(*olderThanDays) * 24 * time.Hour)
	}
	if clientPhone = strings.TrimSpace(clientPhone); clientPhone != "" {
		if !domain.E164.MatchString(clientPhone) {
			return sel, web.FieldError("client_phone", "invalid_phone", "client_phone must be in E.164 form, e.g. +5511987654321")
		}
		sel.ClientPhone = clientPhone
	}
	return sel, nil
}

// staffDrainPreview counts (up to drainCountMax) and shows the first jobs a drain would mark.
func (s *server) staffDrainPreview(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req DrainPreviewRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	sel, err := DrainSelection(req.Types, req.OlderThanDays, req.ClientPhone, req.Statuses, s.env.Now().UTC())
	if err != nil {
		return err
	}
	ctx, tid := r.Context(), st.Tenant.ID
	n, capped, err := s.store.CountDrain(ctx, tid, sel, drainCountMax)
	if err != nil {
		return err
	}
	sample, err := s.store.DrainSample(ctx, tid, sel, drainSampleSize)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(sample))
	for _, pj := range sample {
		if pj.Job.AppointmentID != "" && pj.Job.ClientName == "" {
			ids = append(ids, pj.Job.AppointmentID)
		}
	}
	apts, err := s.store.AppointmentsByID(ctx, tid, ids)
	if err != nil {
		return err
	}
	loc := st.Tenant.Location()
	out := DrainPreviewResponse{Count: n, CountCapped: capped, Sample: []MessageCard{}}
	for _, pj := range sample {
		out.Sample = append(out.Sample, NewMessageCard(pj, apts[pj.Job.AppointmentID], st.Tenant, loc))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// staffDrain marks the jobs a selection picks failed or skipped, with one reason.
func (s *server) staffDrain(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req DrainRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	var action dispatch.Action
	switch req.Action {
	case "":
		return web.FieldError("action", "required", "action is required: fail or skip")
	case "fail":
		action = dispatch.ActionFail
	case "skip":
		action = dispatch.ActionDiscard
	default:
		return web.FieldError("action", "invalid_value", "action must be fail or skip")
	}
	switch drainID := strings.TrimSpace(req.DrainID); {
	case drainID == "":
		return web.FieldError("drain_id", "required", "drain_id is required: a new random id for each drain (e.g. crypto.randomUUID()), the same to resume it")
	case !drainIDPattern.MatchString(drainID):
		return web.FieldError("drain_id", "invalid_value", "drain_id must be 8 to 64 letters, digits, '-' or '_' (e.g. a UUID)")
	}
	reason, err := actionReason(req.Reason)
	if err != nil {
		return err
	}
	now := s.env.Now().UTC()
	sel, err := DrainSelection(req.Types, req.OlderThanDays, req.ClientPhone, req.Statuses, now)
	if err != nil {
		return err
	}
	ctx, tid := r.Context(), st.Tenant.ID
	drainID := strings.TrimSpace(req.DrainID)
	// The drain's selection as the owner chose it: an age in days, not its cutoff, so a
	// later run of the same drain (its cutoff computed again then) is the same drain.
	keySel := sel
	keySel.Before = time.Time{}
	key := keySel.Key()
	if req.OlderThanDays != nil {
		key += fmt.Sprintf(";older_than_days=%d", *req.OlderThanDays)
	}
	rec := store.DrainRecord{ID: drainID, Action: req.Action, Reason: reason, By: st.Email, Selector: key}
	retry := s.env.Config.Retry()
	run, err := s.store.Drain(ctx, tid, rec, sel, drainBatch, drainMaxBatches, now, func(j *domain.Job) (*domain.Job, bool) {
		d := dispatch.DecideAction(dispatch.ActionInput{Job: j, Action: action, Reason: reason, By: st.Email,
			DrainID: drainID, Retry: retry, Now: now})
		return d.Job, d.Already
	})
	if errors.Is(err, store.ErrDrainConflict) {
		return &domain.ConflictError{Code: "drain_id_conflict", Message: "this drain_id already names a drain with another action, reason or selection: generate a new drain_id for a new drain"}
	}
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(ctx, "queue drain", "tenant_id", tid, "uid", st.UID, "drain_id", drainID, "action", req.Action,
		"marked", run.Marked, "already", run.Already, "refused", run.Refused, "batches", run.Batches, "more", run.More)
	web.WriteJSON(w, http.StatusOK, DrainResponse{DrainID: drainID, Action: req.Action, Marked: run.Marked, Already: run.Already,
		Refused: run.Refused, Batches: run.Batches, More: run.More})
	return nil
}

// staffScanSettings pauses or resumes the reminder scan for the studio.
func (s *server) staffScanSettings(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req ScanSettingsRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	if req.Paused == nil {
		return web.FieldError("paused", "required", "paused (true or false) is required")
	}
	reason, err := actionReason(req.Reason)
	if err != nil {
		return err
	}
	now := s.env.Now().UTC()
	pause := domain.ScanPause{Paused: *req.Paused, Reason: reason, By: st.Email, At: now}
	// Through the settings' transaction, so the pause and its resumption are in the
	// studio's settings history (who, when, old → new) like every other setting.
	if _, _, err := s.store.UpdateSettings(r.Context(), st.Tenant.ID, func(stored *domain.Tenant) (*domain.Tenant, []store.SettingsAudit, error) {
		t := *stored
		t.ScanPause = pause
		return &t, []store.SettingsAudit{{At: now, By: st.Email, Field: "scan_pause",
			Old: ptbr.ScanPauseValue(stored.ScanPause.Paused, stored.ScanPause.Reason), New: ptbr.ScanPauseValue(pause.Paused, pause.Reason)}}, nil
	}); err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "reminder scan pause set by staff", "tenant_id", st.Tenant.ID, "uid", st.UID, "paused", pause.Paused)
	web.WriteJSON(w, http.StatusOK, ScanSettingsResponse{Paused: pause.Paused, Reason: pause.Reason, By: pause.By,
		At: pause.At, AtLocal: localTime(pause.At, st.Tenant.Location())})
	return nil
}
