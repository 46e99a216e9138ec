package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/web"
)

// The Agenda: GET /v1/staff/agenda?date=aaaa-mm-dd (one day in the tenant's zone) and
// GET /v1/staff/appointments/{id}. Every read is scoped by the signed-in member's tenant;
// another tenant's appointment id answers 404 like an unknown one.

// staffAgenda answers one day's appointments, ordered by start.
func (s *server) staffAgenda(w http.ResponseWriter, r *http.Request, st Staff) error {
	loc := st.Tenant.Location()
	from, to, err := agendaDay(r.URL.Query().Get("date"), loc, s.env.Now())
	if err != nil {
		return err
	}
	apts, err := s.store.AppointmentsBetween(r.Context(), st.Tenant.ID, from, to)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(apts))
	for _, a := range apts {
		ids = append(ids, a.ID)
	}
	jobs, err := s.store.JobsOfAppointments(r.Context(), st.Tenant.ID, ids)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, NewAgendaResponse(from, st.Tenant, apts, jobs))
	return nil
}

// staffAppointment answers one appointment with its jobs, their attempts and timelines.
func (s *server) staffAppointment(w http.ResponseWriter, r *http.Request, st Staff) error {
	id := r.PathValue("id")
	if !appointmentIDPattern.MatchString(id) {
		return web.Errorf(http.StatusNotFound, "not_found", "no appointment %q", id)
	}
	apt, err := s.store.GetAppointment(r.Context(), st.Tenant.ID, id)
	if err != nil {
		return err
	}
	jobs, err := s.store.AppointmentJobs(r.Context(), st.Tenant.ID, id)
	if err != nil {
		return err
	}
	out := NewStaffAppointmentResponse(st.Tenant, apt, jobs, s.env.Now(), s.env.Config.VoucherBaseURL)
	if out.Window, err = s.ledgerCancelWindow(r.Context(), st.Tenant, apt); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// NewStaffAppointmentResponse is the details of an appointment at now: the Agenda's
// view, the appointment, every job, and the window a cancellation notice would have.
func NewStaffAppointmentResponse(t *domain.Tenant, apt *domain.Appointment, jobs []*domain.Job, now time.Time, voucherBaseURL string) StaffAppointmentResponse {
	loc := t.Location()
	out := StaffAppointmentResponse{
		Agenda:      NewAgendaAppointment(apt, jobs, t),
		Appointment: NewAppointment(apt, loc, voucherBaseURL),
		Jobs:        make([]Job, 0, len(jobs)),
		Window:      NewCancelWindow(booking.CancelWindow(apt, now, loc), loc),
	}
	for _, j := range jobs {
		out.Jobs = append(out.Jobs, NewJob(j))
	}
	return out
}

// agendaDay is the day named by v (aaaa-mm-dd; empty: today) in loc, as the instants
// [from, to) it covers: midnight to the next midnight, so a day that gains or loses an
// hour to daylight saving still covers exactly that day.
func agendaDay(v string, loc *time.Location, now time.Time) (from, to time.Time, err error) {
	var y, d int
	var m time.Month
	if v == "" {
		y, m, d = now.In(loc).Date()
	} else {
		t, perr := time.ParseInLocation("2006-01-02", v, loc)
		if perr != nil || t.Year() < 2000 || t.Year() > 2200 {
			return time.Time{}, time.Time{}, web.FieldError("date", "invalid_time", "date must be a day as aaaa-mm-dd, e.g. 2026-12-01")
		}
		y, m, d = t.Date()
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc), nil
}

// NewAgendaResponse builds the Agenda of the day starting at day (midnight in the
// tenant's zone).
func NewAgendaResponse(day time.Time, t *domain.Tenant, apts []*domain.Appointment, jobs map[string][]*domain.Job) AgendaResponse {
	loc := t.Location()
	out := AgendaResponse{
		Date: day.Format("2006-01-02"), DateLocal: ptbr.Date(day, loc), TimeZone: loc.String(),
		Appointments: make([]AgendaAppointment, 0, len(apts)),
	}
	for _, a := range apts {
		out.Appointments = append(out.Appointments, NewAgendaAppointment(a, jobs[a.ID], t))
	}
	return out
}

// Labels of an appointment's status, as staff read them.
var appointmentStatusLabels = map[domain.AppointmentStatus]string{
	domain.AppointmentScheduled: "agendado",
	domain.AppointmentConfirmed: "confirmado",
	domain.AppointmentCanceled:  "cancelado",
}

// NewAgendaAppointment is the Agenda's view of an appointment of tenant t and its jobs:
// the booking notice, the reminder of the appointment's current time, the cancellation
// notice if any, the client's answer, and the link to write to the client by hand.
func NewAgendaAppointment(apt *domain.Appointment, jobs []*domain.Job, t *domain.Tenant) AgendaAppointment {
	loc, staffLabel := t.Location(), t.StaffLabel
	out := AgendaAppointment{
		ID: apt.ID, ClientName: apt.ClientName, ClientPhone: apt.ClientPhone, Service: apt.Service,
		StartsAt: apt.StartsAt.UTC(), StartsAtLocal: ptbr.DateTime(apt.StartsAt, loc),
		Status: string(apt.Status), StatusLabel: appointmentStatusLabels[apt.Status],
		CanCancel: apt.Status != domain.AppointmentCanceled,
		WhatsAppURL: ptbr.WhatsAppURL(apt.ClientPhone,
			ptbr.ManualMessage(apt.ClientName, t.Name, apt.Service, ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc))),
	}
	if out.StatusLabel == "" {
		out.StatusLabel = "situação desconhecida"
	}
	out.ClientAnswer, out.ClientAnswerLabel, out.ClientAnswerAt = clientAnswer(apt, staffLabel)
	var notice, reminder, cancel *domain.Job
	for _, j := range jobs {
		switch j.Type {
		case domain.JobCanceled:
			cancel = j
		case domain.JobCreated:
			notice = j
		case domain.JobReminder:
			// The reminder of the current time; failing that, the latest one.
			if reminder == nil || reminder.ScheduleVersion != apt.ScheduleVersion &&
				(j.ScheduleVersion == apt.ScheduleVersion || j.ScheduleVersion > reminder.ScheduleVersion) {
				reminder = j
			}
		}
	}
	out.Notice = NewMessageState(notice, loc)
	out.Reminder = NewMessageState(reminder, loc)
	if cancel != nil {
		ms := NewMessageState(cancel, loc)
		out.CancelNotice = &ms
	}
	return out
}

// clientAnswer is the client's latest answer by button: a flag for staff
// (reschedule_requested, talk_requested) raised after the confirmation wins over it.
func clientAnswer(apt *domain.Appointment, staffLabel string) (string, string, time.Time) {
	flag := apt.StaffFlag
	if flag != "" && (apt.ConfirmedAt.IsZero() || !apt.StaffFlagAt.Before(apt.ConfirmedAt)) {
		switch flag {
		case "reschedule_requested":
			return flag, "quer reagendar", utc(apt.StaffFlagAt)
		case "talk_requested":
			label := "quer falar com o estúdio"
			if rest, ok := strings.CutPrefix(staffLabel, "Falar com "); ok && rest != "" {
				label = "quer falar com " + rest
			}
			return flag, label, utc(apt.StaffFlagAt)
		}
	}
	if !apt.ConfirmedAt.IsZero() || apt.Status == domain.AppointmentConfirmed {
		return "confirmed", "confirmou", utc(apt.ConfirmedAt)
	}
	return "", "", time.Time{}
}

// Texts of the message states.
const (
	textNoJob = "Nenhuma mensagem deste tipo foi criada para este agendamento."
)

// NewMessageState is where a job is, as the Agenda's ticks show it (nil: no such job).
func NewMessageState(j *domain.Job, loc *time.Location) MessageState {
	if j == nil {
		return MessageState{State: "not_sent", Label: "não enviada", Reason: textNoJob}
	}
	ms := MessageState{JobID: j.ID}
	at := time.Time{}
	switch j.Status {
	case domain.JobPending:
		if j.AttemptCount() == 0 {
			ms.State, ms.Label, at = "scheduled", "agendada", j.ScheduledFor
		} else {
			ms.State, ms.Label, at = "pending", "aguardando nova tentativa", j.NextRetryAt
			if at.IsZero() {
				at = j.ScheduledFor
			}
		}
	case domain.JobQueued:
		ms.State, ms.Label, at = "pending", "na fila de envio", j.ScheduledFor
	case domain.JobSending:
		ms.State, ms.Label, at = "pending", "enviando", j.UpdatedAt
	case domain.JobUnknown:
		ms.State, ms.Label, at = "pending", "aguardando confirmação da Meta", j.UpdatedAt
	case domain.JobSent, domain.JobDelivered, domain.JobRead:
		ms.State = string(j.Status)
		ms.Label = map[domain.JobStatus]string{domain.JobSent: "enviada", domain.JobDelivered: "entregue", domain.JobRead: "lida"}[j.Status]
		at = j.ProviderStatusTimes[string(j.Status)]
		if at.IsZero() && j.Status == domain.JobSent {
			at = j.SentAt
		}
		if at.IsZero() {
			at = j.UpdatedAt
		}
	case domain.JobFailed:
		ms.State, ms.Label, ms.Reason, at = "failed", "falhou", j.Reason, j.UpdatedAt
		if ms.Reason == "" {
			ms.Reason = "O envio falhou, sem motivo registrado."
		}
	case domain.JobSkipped:
		ms.State, ms.Label, ms.Reason = "not_sent", "não enviada", j.Reason
		if ms.Reason == "" {
			ms.Reason = "Não enviada, sem motivo registrado."
		}
	default:
		ms.State, ms.Label = "not_sent", "não enviada"
		ms.Reason = "Situação da mensagem desconhecida (registro antigo ou com defeito)."
	}
	if !at.IsZero() {
		ms.At, ms.AtLocal = at.UTC(), ptbr.DateTime(at, loc)
	}
	return ms
}
