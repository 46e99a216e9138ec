package api

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/web"
)

// The Mensagens panel's reads of one job, a conversation and the daily chart. Every read
// is scoped by the signed-in member's tenant: another tenant's job id answers 404 like
// an unknown one, and another tenant's client is a conversation with no messages.
//
//   - GET /v1/staff/jobs/{id}: the job's card, timeline (with the client's replies to
//     it, at most maxJobReplies) and attempts: one job read, at most one appointment
//     read, one query of the replies.
//   - GET /v1/staff/conversations/{wa_id}: the client's ledger (the newest
//     maxConversationMessages messages) merged with their automatic jobs: the jobs of
//     their appointments (at most searchAppointments, found by phone) and the jobs
//     addressed to their number (at most maxConversationMessages).
//   - GET /v1/staff/messages/daily?days=14 (1 to 31): four count aggregations per day
//     (store.DailyCounts), no job read.

const maxConversationMessages = 200

// jobIDPattern: the ids Lembra gives jobs (apt_…-appointment_created, reply-…) and
// anything of the same alphabet an older version may have stored; never a path.
var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,200}$`)

// waIDPattern: a WhatsApp id as Meta sends it, the number's digits without +.
var waIDPattern = regexp.MustCompile(`^[0-9]{8,15}$`)

// staffPanelRoutes are the Mensagens panel's reads of one job, a conversation and the
// daily chart.
func (s *server) staffPanelRoutes() []route {
	return []route{
		{pattern: "GET /v1/staff/jobs/{id}", staff: s.staffJob},
		{pattern: "GET /v1/staff/conversations/{wa_id}", staff: s.staffConversation},
		{pattern: "GET /v1/staff/messages/daily", staff: s.staffMessagesDaily},
	}
}

// staffJob answers one job with its timeline.
func (s *server) staffJob(w http.ResponseWriter, r *http.Request, st Staff) error {
	id := r.PathValue("id")
	if !jobIDPattern.MatchString(id) {
		return web.Errorf(http.StatusNotFound, "not_found", "no job %q", id)
	}
	ctx, tid := r.Context(), st.Tenant.ID
	pj, err := s.store.PanelJobByID(ctx, tid, id)
	if errors.Is(err, domain.ErrNotFound) {
		return web.Errorf(http.StatusNotFound, "not_found", "no job %q", id)
	}
	if err != nil {
		return err
	}
	var apt *domain.Appointment
	if pj.Job.AppointmentID != "" {
		apts, err := s.store.AppointmentsByID(ctx, tid, []string{pj.Job.AppointmentID})
		if err != nil {
			return err
		}
		apt = apts[pj.Job.AppointmentID]
	}
	var replies []domain.ConversationMessage
	if !pj.Malformed && pj.Job.ProviderMessageID != "" {
		if replies, err = s.store.RepliesTo(ctx, tid, pj.Job.ProviderMessageID, maxJobReplies); err != nil {
			return err
		}
	}
	resp := NewStaffJobResponse(pj, apt, replies, st.Tenant, st.Tenant.Location())
	if st.Role == domain.RoleOwner && !pj.Malformed {
		for _, a := range dispatch.AllowedActions(pj.Job, apt, s.env.Config.Retry(), s.env.Now().UTC()) {
			resp.Actions = append(resp.Actions, string(a))
		}
	}
	web.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// staffConversation answers a client's conversation.
func (s *server) staffConversation(w http.ResponseWriter, r *http.Request, st Staff) error {
	waID := r.PathValue("wa_id")
	if !waIDPattern.MatchString(waID) {
		return web.Errorf(http.StatusNotFound, "not_found", "no conversation %q: a WhatsApp id is the number's 8 to 15 digits", waID)
	}
	ctx, tid, loc := r.Context(), st.Tenant.ID, st.Tenant.Location()
	conv, err := s.store.GetConversation(ctx, tid, waID)
	if errors.Is(err, domain.ErrNotFound) {
		conv, err = &domain.Conversation{WAID: waID}, nil
	}
	if err != nil {
		return err
	}
	ledger, err := s.store.RecentConversationMessages(ctx, tid, waID, maxConversationMessages)
	if err != nil {
		return err
	}
	phone := "+" + waID
	apts, err := s.store.SearchAppointments(ctx, tid, []string{phone}, nil, searchAppointments)
	if err != nil {
		return err
	}
	ids, byID := make([]string, 0, len(apts)), make(map[string]*domain.Appointment, len(apts))
	for _, a := range apts {
		ids, byID[a.ID] = append(ids, a.ID), a
	}
	jobs, err := s.store.ClientJobs(ctx, tid, ids)
	if err != nil {
		return err
	}
	sent, err := s.store.JobsToRecipient(ctx, tid, phone, maxConversationMessages)
	if err != nil {
		return err
	}
	out := ConversationResponse{
		WAID: waID, ClientName: conv.Name,
		Window:   NewConversationWindow(conv.LastInboundAt, s.env.Now(), loc),
		Messages: MergeConversation(ledger, append(jobs, sent...), byID, st.Tenant.Name, loc, maxConversationMessages),
		OptOut:   NewConversationOptOut(conv.OptOut, loc),
	}
	if len(apts) > 0 {
		latest := slices.MaxFunc(apts, func(a, b *domain.Appointment) int { return a.CreatedAt.Compare(b.CreatedAt) })
		out.ClientName = latest.ClientName
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// staffMessagesDaily answers the chart of the last days.
func (s *server) staffMessagesDaily(w http.ResponseWriter, r *http.Request, st Staff) error {
	n := defaultChartDays
	if v := r.URL.Query().Get("days"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 1 || d > maxChartDays {
			return web.FieldError("days", "invalid_value", "days must be a whole number from 1 to %d", maxChartDays)
		}
		n = d
	}
	loc := st.Tenant.Location()
	days, err := s.store.DailyCounts(r.Context(), st.Tenant.ID, ChartDays(s.env.Now(), loc, n))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, NewDailyMessagesResponse(days, loc))
	return nil
}
