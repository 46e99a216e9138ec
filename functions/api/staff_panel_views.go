package api

import (
	"cmp"
	"slices"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// Pure views of the panel's job, conversation and chart answers (staff_panel.go reads,
// these decide what staff see).

// timelineLabels are the Portuguese labels of a job's timeline events.
var timelineLabels = map[string]string{
	"created":         "Criada",
	"queued":          "Na fila",
	"enqueue_failed":  "Falha ao pôr na fila",
	"sent":            "Enviada",
	"delivered":       "Entregue",
	"read":            "Lida",
	"failed":          "Falhou",
	"skipped":         "Não enviada",
	"retry":           "Nova tentativa",
	"retry_scheduled": "Nova tentativa agendada",
	"unknown":         "Aguardando confirmação da Meta",
	"client_reply":    "Resposta do cliente",
	// A dry run sent to the studio's test number (dispatch.EventTestRecipient).
	"test_recipient": "Modo de teste: enviada ao número de teste",
	// Held by the portfolio's messaging limit (dispatch.EventLimitHold).
	"held_messaging_limit": "Aguardando o limite da Meta de clientes em 24 h",
	// The quiet hours' decision when the job's time was set (domain.EventQuietHours).
	"quiet_hours": "Horário de silêncio",
	// The owner's actions (staff_ops.go, dispatch.ActionEvent).
	"action_fail":     "Marcada como falha pelo responsável",
	"action_discard":  "Descartada pelo responsável",
	"action_retry":    "Nova tentativa pedida pelo responsável",
	"action_send_now": "Envio imediato pedido pelo responsável",
}

// TimelineLabel is the Portuguese label of a timeline event; one this version does not
// know is shown by its name.
func TimelineLabel(kind string) string {
	if l, ok := timelineLabels[kind]; ok {
		return l
	}
	if kind == "" {
		return "Evento sem nome"
	}
	return "Evento: " + kind
}

// maxJobReplies bounds the client replies a job's timeline shows.
const maxJobReplies = 20

// NewStaffJobResponse is one job as the panel's job view shows it: its card, its
// timeline (its own events, and the client's replies to it, in event order; equal
// times keep the job's events first) and its attempts. A malformed job has only its
// card.
func NewStaffJobResponse(pj store.PanelJob, apt *domain.Appointment, replies []domain.ConversationMessage, t *domain.Tenant, loc *time.Location) StaffJobResponse {
	out := StaffJobResponse{Card: NewMessageCard(pj, apt, t, loc), Timeline: []TimelineEvent{}, Attempts: []StaffAttempt{}, Actions: []string{}}
	if pj.Malformed {
		return out
	}
	j := pj.Job
	// The client's replies join the job's own events by the timeline's one ordering rule
	// (domain.InsertEvent: to the second, then arrival), so Meta's second-precision
	// times and Lembra's own stay in event order.
	timeline, omitted := slices.Clone(j.Timeline), j.TimelineOmitted
	for _, r := range replies {
		timeline, omitted = domain.InsertEvent(timeline, omitted, domain.TimelineEntry{At: r.At.UTC(), Event: "client_reply", Detail: MessageText(r.Type, r.Text)})
	}
	for _, e := range timeline {
		out.Timeline = append(out.Timeline, TimelineEvent{At: e.At.UTC(), AtLocal: localTime(e.At, loc), Kind: e.Event, Label: TimelineLabel(e.Event), Detail: e.Detail})
	}
	out.TimelineOmitted = omitted
	for _, a := range j.Attempts {
		out.Attempts = append(out.Attempts, NewStaffAttempt(a, loc))
	}
	out.AttemptCount = j.AttemptCount()
	return out
}

// NewStaffAttempt is a stored attempt as staff read it.
func NewStaffAttempt(a domain.Attempt, loc *time.Location) StaffAttempt {
	return StaffAttempt{
		N: a.N, At: utc(a.At), AtLocal: localTime(a.At, loc), Outcome: a.Outcome, OutcomeLabel: ptbr.AttemptOutcomeLabel(a.Outcome),
		HTTPStatus: a.HTTPStatus, ErrorCode: a.ErrorCode, Error: a.Error,
	}
}

// Labels of a conversation message's source.
var sourceLabels = map[string]string{
	domain.SourceClient:     "Cliente",
	domain.SourceAutomation: "Automático",
	domain.SourceManual:     "Enviada pelo WhatsApp Business",
	domain.SourceHistory:    "Histórico",
}

// Placeholders of media sent without a caption.
var mediaPlaceholders = map[string]string{
	"image":    "[foto]",
	"video":    "[vídeo]",
	"audio":    "[áudio]",
	"voice":    "[áudio]",
	"document": "[documento]",
	"sticker":  "[figurinha]",
	"location": "[localização]",
	"contacts": "[contato]",
}

// MessageText is what a conversation shows for a message of Meta's type typ whose
// readable text (body, button text, caption or emoji) is text.
func MessageText(typ, text string) string {
	switch {
	case typ == "reaction" && text == "":
		return "removeu a reação"
	case typ == "reaction":
		return "reagiu com " + text
	case text != "":
		return text
	case mediaPlaceholders[typ] != "":
		return mediaPlaceholders[typ]
	case typ == "":
		return "[mensagem]"
	}
	return "[mensagem do tipo " + typ + "]"
}

// Labels of the statuses a ledger message may carry (Meta's, as the phone had them).
var ledgerStatusLabels = map[string]string{
	"sent": "enviada", "delivered": "entregue", "read": "lida", "played": "reproduzida",
	"failed": "falhou", "pending": "pendente", "error": "falhou",
}

// jobAt is where a job sits in a conversation: when Meta accepted it, else when it is
// due (still waiting), else when it last changed (failed or not sent).
func jobAt(j *domain.Job) time.Time {
	switch {
	case !j.SentAt.IsZero():
		return j.SentAt
	case j.Status == domain.JobPending || j.Status == domain.JobQueued:
		return j.ScheduledFor
	case !j.UpdatedAt.IsZero():
		return j.UpdatedAt
	}
	return j.CreatedAt
}

// templateStartsAt is the appointment time a template job named: the time the job was
// made for (a reminder keeps it), else the appointment's time while it has not been
// rescheduled since the job was made (the booking notice); false when it is not known.
func templateStartsAt(j *domain.Job, apt *domain.Appointment) (time.Time, bool) {
	if !j.AppointmentStartsAt.IsZero() {
		return j.AppointmentStartsAt, true
	}
	if apt == nil || apt.StartsAt.IsZero() {
		return time.Time{}, false
	}
	// The booking notice is made with the appointment's first version (1) and records
	// none (0).
	if apt.ScheduleVersion > max(j.ScheduleVersion, 1) {
		return time.Time{}, false
	}
	return apt.StartsAt, true
}

// TemplateJobText is what the client read in a template job, rendered in Portuguese
// from what its template was sent with (dispatch.PlanSend: the appointment's service,
// date and hour, and the studio): e.g. "Aviso de agendamento: Design de sobrancelhas em
// 02/12/2026 às 14:00 — Studio Jana". apt is the job's appointment (nil when not found).
func TemplateJobText(j *domain.Job, apt *domain.Appointment, studio string, loc *time.Location) string {
	ts := ptbr.TemplateSend{Kind: typeLabels[j.Type], Studio: studio}
	if apt != nil {
		ts.Service = apt.Service
	}
	if at, ok := templateStartsAt(j, apt); ok {
		ts.Date, ts.Hour = ptbr.Date(at, loc), ptbr.Time(at, loc)
	}
	return ptbr.TemplateSendText(ts)
}

// jobItem is an automatic job as a conversation message: a free-form job shows its
// text, a template job what its template said (TemplateJobText) and the template's name.
func jobItem(j *domain.Job, apt *domain.Appointment, studio string, loc *time.Location) ConversationItem {
	at := jobAt(j)
	ms := NewMessageState(j, loc)
	it := ConversationItem{
		ID: j.ID, At: at.UTC(), AtLocal: localTime(at, loc), Direction: "out",
		Source: domain.SourceAutomation, SourceLabel: sourceLabels[domain.SourceAutomation],
		Type: string(j.Type), Text: j.Text, TemplateName: j.TemplateName, Status: ms.State, StatusLabel: ms.Label,
		JobID: j.ID, AppointmentID: j.AppointmentID,
	}
	if j.ProviderMessageID != "" {
		it.ID = j.ProviderMessageID
	}
	if it.Text == "" {
		if j.DeliveryMode == domain.DeliverySession {
			it.Text = typeLabels[j.Type]
			if it.Text == "" {
				it.Text = "mensagem automática"
			}
		} else {
			it.Text = TemplateJobText(j, apt, studio, loc)
		}
	}
	if ms.Reason != "" && (ms.State == "failed" || ms.State == "not_sent") {
		it.StatusLabel += ": " + ms.Reason
	}
	return it
}

// MergeConversation merges a client's ledger messages and automatic jobs in time order
// (ties by id) and keeps the newest limit. A job also in the ledger (the same Meta
// message id, or a ledger message naming the job) appears once, as the job (its status
// is Lembra's own), with the ledger's text when the job has none of its own. Each job
// appears once however often it is given. apts are the client's appointments by id and
// studio the tenant's name (what template jobs were sent with).
func MergeConversation(ledger []domain.ConversationMessage, jobs []*domain.Job, apts map[string]*domain.Appointment, studio string, loc *time.Location, limit int) []ConversationItem {
	out := make([]ConversationItem, 0, len(ledger)+len(jobs))
	byWAMID, byJob, seenJob := map[string]int{}, map[string]int{}, map[string]bool{}
	var jobIndex []int // out[i] is jobs[jobIndex[i]] for the jobs' items
	for k, j := range jobs {
		if j == nil || seenJob[j.ID] {
			continue
		}
		seenJob[j.ID] = true
		jobIndex = append(jobIndex, k)
		byJob[j.ID] = len(out)
		if j.ProviderMessageID != "" {
			byWAMID[j.ProviderMessageID] = len(out)
		}
		out = append(out, jobItem(j, apts[j.AppointmentID], studio, loc))
	}
	for _, m := range ledger {
		i, dup := byWAMID[m.ID]
		if !dup && m.JobID != "" {
			i, dup = byJob[m.JobID]
		}
		if dup {
			if jobs[jobIndex[i]].Text == "" && m.Text != "" {
				out[i].Text = MessageText(m.Type, m.Text)
			}
			continue
		}
		src := m.Source
		if sourceLabels[src] == "" {
			src = domain.SourceHistory
		}
		dir := m.Direction
		if dir != "in" {
			dir = "out"
		}
		it := ConversationItem{
			ID: m.ID, At: m.At.UTC(), AtLocal: localTime(m.At, loc), Direction: dir,
			Source: src, SourceLabel: sourceLabels[src], Type: m.Type, Text: MessageText(m.Type, m.Text),
			JobID: m.JobID, AppointmentID: m.AppointmentID,
		}
		if m.Status != "" {
			it.Status = m.Status
			it.StatusLabel = ledgerStatusLabels[m.Status]
			if it.StatusLabel == "" {
				it.StatusLabel = m.Status
			}
		}
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b ConversationItem) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// NewConversationWindow is the 24-hour customer-service window at now after the
// client's last message at last (zero: the client never wrote), by domain.WindowOpen.
func NewConversationWindow(last, now time.Time, loc *time.Location) ConversationWindow {
	if last.IsZero() {
		return ConversationWindow{Label: "Janela fechada: o cliente ainda não escreveu por WhatsApp."}
	}
	until := last.Add(domain.Window)
	w := ConversationWindow{
		Open: domain.WindowOpen(last, now), Until: until.UTC(), UntilLocal: ptbr.DateTime(until, loc),
		LastClientMessageAt: last.UTC(), LastClientMessageAtLocal: ptbr.DateTime(last, loc),
	}
	if w.Open {
		w.Label = "Janela aberta até " + w.UntilLocal
	} else {
		w.Label = "Janela fechada: a última mensagem do cliente foi em " + w.LastClientMessageAtLocal + ", há mais de 24 horas."
	}
	return w
}

// Bounds of the chart's days.
const (
	defaultChartDays = 14
	maxChartDays     = 31
)

// ChartDays are the n days of loc ending with now's day, oldest first, each as the
// instants [midnight, next midnight) it covers (a day of a daylight-saving change keeps
// its real length).
func ChartDays(now time.Time, loc *time.Location, n int) []store.DailyCount {
	y, m, d := now.In(loc).Date()
	out := make([]store.DailyCount, 0, n)
	for i := n - 1; i >= 0; i-- {
		out = append(out, store.DailyCount{From: time.Date(y, m, d-i, 0, 0, 0, 0, loc), To: time.Date(y, m, d-i+1, 0, 0, 0, 0, loc)})
	}
	return out
}

// NewDailyMessagesResponse is the chart's answer for counted days.
func NewDailyMessagesResponse(days []store.DailyCount, loc *time.Location) DailyMessagesResponse {
	out := DailyMessagesResponse{TimeZone: loc.String(), Days: make([]DailyMessages, 0, len(days))}
	for _, d := range days {
		out.Days = append(out.Days, DailyMessages{
			Date: d.From.In(loc).Format("2006-01-02"), DateLocal: ptbr.Date(d.From, loc),
			Sent: d.Sent, Delivered: d.Delivered, Read: d.Read, Failed: d.Failed,
		})
	}
	return out
}
