package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/web"
)

// staffWriteRoutes are the dashboard's endpoints that change a studio's data, and the
// cancel dialog's window read. Each acts on the signed-in member's tenant only: another
// tenant's appointment id is 404, like an unknown one.
func (s *server) staffWriteRoutes() []route {
	return []route{
		{pattern: "POST /v1/staff/appointments", staff: s.staffCreateAppointment},
		{pattern: "PATCH /v1/staff/appointments/{id}", staff: s.staffRescheduleAppointment},
		{pattern: "GET /v1/staff/appointments/{id}/window", staff: s.staffCancelWindow},
		{pattern: "POST /v1/staff/appointments/{id}/cancel", staff: s.staffCancelAppointment},
		{pattern: "GET /v1/staff/members", staff: s.staffMembers, roles: []domain.StaffRole{domain.RoleOwner}},
		{pattern: "POST /v1/staff/members", staff: s.staffAddMember, roles: []domain.StaffRole{domain.RoleOwner}},
	}
}

// requestIDPattern: what the dashboard sends as request_id (crypto.randomUUID(), or any
// 16 to 64 letters, digits, '-' and '_').
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// dashboardExternalIDPrefix marks the appointments staff create by hand: their
// external_id is this prefix and the request_id, so a repeated request finds the
// appointment the first one created (booking.Create's idempotency by external id) and
// cannot collide with a booking system's ids.
const dashboardExternalIDPrefix = "dashboard:"

// dashboardBooking turns the dashboard's form into a booking, checking request_id.
func dashboardBooking(req StaffCreateAppointmentRequest) (booking.NewAppointment, error) {
	id := strings.TrimSpace(req.RequestID)
	switch {
	case id == "":
		return booking.NewAppointment{}, web.FieldError("request_id", "required", "request_id is required: a new random id for each new appointment form (e.g. crypto.randomUUID()), the same on a retry")
	case !requestIDPattern.MatchString(id):
		return booking.NewAppointment{}, web.FieldError("request_id", "invalid_value", "request_id must be 16 to 64 letters, digits, '-' or '_' (e.g. a UUID)")
	}
	startsAt, err := parseTime("starts_at", req.StartsAt)
	if err != nil {
		return booking.NewAppointment{}, err
	}
	return booking.NewAppointment{
		ExternalID: dashboardExternalIDPrefix + id, ClientName: req.ClientName, ClientPhone: req.ClientPhone,
		Service: req.Service, Location: req.Location, StartsAt: startsAt,
	}, nil
}

// staffCreateAppointment creates an appointment by hand: 201, or 200 with the stored
// one when the same request_id was seen (its booking notice goes out as for a booking
// system's).
func (s *server) staffCreateAppointment(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req StaffCreateAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	in, err := dashboardBooking(req)
	if err != nil {
		return err
	}
	apt, jobs, created, err := s.booking.Create(r.Context(), st.Tenant, in)
	var conflict *domain.ConflictError
	if errors.As(err, &conflict) && conflict.Code == "external_id_conflict" {
		return &domain.ConflictError{Code: "request_id_conflict", Message: "this request_id already created an appointment with other details: generate a new request_id for a new appointment"}
	}
	if err != nil {
		return queueError(err, "the appointment is stored but its notice could not be queued; send the same request again")
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.env.Log.InfoContext(r.Context(), "appointment created by staff", "tenant_id", st.Tenant.ID, "appointment_id", apt.ID, "uid", st.UID)
	}
	web.WriteJSON(w, status, s.staffView(st, apt, jobs))
	return nil
}

// staffAppointmentID is the path's appointment id; one of no possible shape is 404.
func staffAppointmentID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !appointmentIDPattern.MatchString(id) {
		return "", web.Errorf(http.StatusNotFound, "not_found", "no appointment %q", id)
	}
	return id, nil
}

// staffRescheduleAppointment moves an appointment to a new start (its reminder follows).
func (s *server) staffRescheduleAppointment(w http.ResponseWriter, r *http.Request, st Staff) error {
	id, err := staffAppointmentID(r)
	if err != nil {
		return err
	}
	var req RescheduleAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	startsAt, err := parseTime("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	apt, jobs, err := s.booking.Reschedule(r.Context(), st.Tenant, id, startsAt)
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "appointment rescheduled by staff", "tenant_id", st.Tenant.ID, "appointment_id", apt.ID, "uid", st.UID, "schedule_version", apt.ScheduleVersion)
	web.WriteJSON(w, http.StatusOK, s.staffView(st, apt, jobs))
	return nil
}

// staffCancelWindow answers the cancel dialog's question before the member confirms:
// could the client be told now, and if not, why.
func (s *server) staffCancelWindow(w http.ResponseWriter, r *http.Request, st Staff) error {
	id, err := staffAppointmentID(r)
	if err != nil {
		return err
	}
	apt, err := s.store.GetAppointment(r.Context(), st.Tenant.ID, id)
	if err != nil {
		return err
	}
	win, err := s.ledgerCancelWindow(r.Context(), st.Tenant, apt)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, win)
	return nil
}

// staffCancelAppointment cancels an appointment; notify_client (required) asks for the
// cancellation notice, sent if the window is open and recorded not sent, with the
// reason, if not. Canceling again changes nothing and answers the same.
func (s *server) staffCancelAppointment(w http.ResponseWriter, r *http.Request, st Staff) error {
	id, err := staffAppointmentID(r)
	if err != nil {
		return err
	}
	var req CancelAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	if req.NotifyClient == nil {
		return web.FieldError("notify_client", "required", "notify_client (true or false) is required: the dialog's checkbox")
	}
	apt, jobs, err := s.booking.Cancel(r.Context(), st.Tenant, id, *req.NotifyClient)
	if err != nil {
		return queueError(err, "the appointment is canceled but the client's notice could not be queued; send the same request again")
	}
	s.env.Log.InfoContext(r.Context(), "appointment canceled by staff", "tenant_id", st.Tenant.ID, "appointment_id", apt.ID, "uid", st.UID, "notify_client", *req.NotifyClient)
	v := s.staffView(st, apt, jobs)
	var notice *domain.Job
	for _, j := range jobs {
		if j.Type == domain.JobCanceled {
			notice = j
		}
	}
	web.WriteJSON(w, http.StatusOK, StaffCancelResponse{
		Agenda: v.Agenda, Appointment: v.Appointment, Jobs: v.Jobs, Window: v.Window,
		Notice: NewCancelNotice(*req.NotifyClient, notice, st.Tenant.Location()),
	})
	return nil
}

func (s *server) staffView(st Staff, apt *domain.Appointment, jobs []*domain.Job) StaffAppointmentResponse {
	return NewStaffAppointmentResponse(st.Tenant, apt, jobs, s.env.Now(), s.env.Config.VoucherBaseURL)
}

// NewCancelWindow shows booking's window decision in the tenant's zone loc.
func NewCancelWindow(w booking.Window, loc *time.Location) CancelWindow {
	out := CancelWindow{Open: w.Open, Label: w.Label, Reason: w.Reason.Text, ReasonCode: w.Reason.Code}
	if !w.Until.IsZero() {
		out.Until, out.UntilLocal = w.Until.UTC(), ptbr.DateTime(w.Until, loc)
	}
	if !w.LastInboundAt.IsZero() {
		out.LastClientMessageAt, out.LastClientMessageAtLocal = w.LastInboundAt.UTC(), ptbr.DateTime(w.LastInboundAt, loc)
	}
	return out
}

// Labels of the cancel dialog's result, by the notice's state.
var cancelNoticeLabels = map[string]string{
	"pending":   "Aviso na fila de envio",
	"sent":      "Aviso enviado",
	"delivered": "Aviso entregue",
	"read":      "Aviso lido",
	"failed":    "Aviso não enviado: o envio falhou",
	"not_sent":  "Aviso não enviado",
}

// NewCancelNotice is what became of the cancellation notice j (nil: none exists);
// notify is what this cancel asked for.
func NewCancelNotice(notify bool, j *domain.Job, loc *time.Location) CancelNotice {
	if j == nil {
		label := "Cliente não avisado"
		if notify {
			// Canceling again: the first cancel did not ask for a notice.
			label = "Cliente não avisado: o agendamento já estava cancelado sem aviso"
		}
		return CancelNotice{State: "none", Label: label}
	}
	ms := NewMessageState(j, loc)
	state := ms.State
	if state == "scheduled" {
		state = "pending"
	}
	label, ok := cancelNoticeLabels[state]
	if !ok {
		state, label = "not_sent", cancelNoticeLabels["not_sent"]
	}
	return CancelNotice{Requested: true, JobID: j.ID, State: state, Label: label, Reason: ms.Reason}
}
