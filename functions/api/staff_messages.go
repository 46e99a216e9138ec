package api

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// The Mensagens panel: GET /v1/staff/messages?view=queue|history&status=&type=&from=&to=&q=&cursor=
//
//   - view=queue (the default): pending, queued, sending and unknown jobs (waiting for
//     their time, a task, a retry or Meta's status), soonest scheduled_for first;
//     from/to apply to scheduled_for.
//   - view=history: sent, delivered, read, failed and skipped jobs, most recently
//     updated first; from/to apply to updated_at (when the job last changed: sent,
//     delivered, read, failed or skipped).
//   - status: one status of the view; type: one job type; from, to: days as aaaa-mm-dd
//     in the tenant's zone, both included.
//   - cursor: the next_cursor of the previous page (opaque: base64url of the view, the
//     last job's order value and id; the query continues with Firestore's StartAfter).
//
// A page is panelPageSize jobs and costs at most panelPageSize+1 job reads plus one
// batch read of the distinct appointments named by those of its jobs written before the
// client's name and phone were copied onto jobs (domain.Job.ClientName), whatever the
// number of jobs stored: a page of current jobs reads no appointment.
//
// q (client name or phone) is bounded the other way round: it finds at most
// searchAppointments of the tenant's appointments (a phone: exact E.164 match; a name:
// prefix match as typed and capitalised, since Firestore compares strings exactly),
// then reads their jobs and filters and orders them in memory, answering at most
// panelPageSize of them without a cursor. Its cost is bounded by searchAppointments and
// their jobs, never by the size of the collection, and it needs no extra field on jobs.

const (
	panelPageSize      = 50
	searchAppointments = 30
	maxSearchLen       = 100
	maxCursorLen       = 1024
)

// panelFilter is a parsed request of the panel.
type panelFilter struct {
	Query store.PanelQuery
	Q     string // client name or phone; "" for none
}

// parsePanelFilter reads the panel's query parameters; a bad one is a 400 naming it.
func parsePanelFilter(v url.Values, loc *time.Location) (panelFilter, error) {
	f := panelFilter{Query: store.PanelQuery{Limit: panelPageSize}}
	switch view := v.Get("view"); view {
	case "", string(store.PanelQueue):
		f.Query.View = store.PanelQueue
	case string(store.PanelHistory):
		f.Query.View = store.PanelHistory
	default:
		return f, web.FieldError("view", "invalid_value", "view must be queue or history")
	}
	f.Query.Statuses = f.Query.View.Statuses()
	if st := v.Get("status"); st != "" {
		if !slices.Contains(f.Query.Statuses, domain.JobStatus(st)) {
			return f, web.FieldError("status", "invalid_value", "status must be one of %s for view %s", joinStatuses(f.Query.Statuses), f.Query.View)
		}
		f.Query.Statuses = []domain.JobStatus{domain.JobStatus(st)}
	}
	if jt := v.Get("type"); jt != "" {
		if typeLabels[domain.JobType(jt)] == "" {
			return f, web.FieldError("type", "invalid_value", "type must be appointment_created, appointment_reminder, appointment_canceled or button_reply")
		}
		f.Query.Type = domain.JobType(jt)
	}
	var err error
	if f.Query.From, _, err = panelDay(v.Get("from"), "from", loc); err != nil {
		return f, err
	}
	if _, f.Query.To, err = panelDay(v.Get("to"), "to", loc); err != nil {
		return f, err
	}
	if !f.Query.From.IsZero() && !f.Query.To.IsZero() && !f.Query.From.Before(f.Query.To) {
		return f, web.FieldError("to", "invalid_time", "to must be the same day as from or later")
	}
	f.Q = strings.TrimSpace(v.Get("q"))
	if utf8.RuneCountInString(f.Q) > maxSearchLen {
		return f, web.FieldError("q", "too_long", "q must be at most %d characters", maxSearchLen)
	}
	if !utf8.ValidString(f.Q) || strings.IndexFunc(f.Q, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return f, web.FieldError("q", "invalid_characters", "q holds control or invisible characters")
	}
	if c := v.Get("cursor"); c != "" {
		if f.Query.AfterValue, f.Query.AfterID, err = decodeCursor(c, f.Query.View); err != nil {
			return f, err
		}
	}
	return f, nil
}

func joinStatuses(ss []domain.JobStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// panelDay is the day v (aaaa-mm-dd, "" for none) in loc as [from, to).
func panelDay(v, field string, loc *time.Location) (time.Time, time.Time, error) {
	if v == "" {
		return time.Time{}, time.Time{}, nil
	}
	from, to, err := agendaDay(v, loc, time.Time{})
	if err != nil {
		return time.Time{}, time.Time{}, web.FieldError(field, "invalid_time", "%s must be a day as aaaa-mm-dd, e.g. 2026-12-01", field)
	}
	return from, to, nil
}

// cursor is what next_cursor carries: the view it belongs to, the last job's order
// value (scheduled_for or updated_at) and its id.
type cursor struct {
	View string `json:"v"`
	At   string `json:"t"`
	ID   string `json:"id"`
}

// encodeCursor makes the opaque cursor that continues after job j in view.
func encodeCursor(view store.PanelView, j *domain.Job) string {
	at := j.ScheduledFor
	if view == store.PanelHistory {
		at = j.UpdatedAt
	}
	b, _ := json.Marshal(cursor{View: string(view), At: at.UTC().Format(time.RFC3339Nano), ID: j.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of view; anything not made by encodeCursor for the same
// view is a 400. A well-formed cursor naming another tenant's job only positions this
// tenant's query: nothing of the other tenant is read.
func decodeCursor(s string, view store.PanelView) (time.Time, string, error) {
	bad := web.FieldError("cursor", "invalid_cursor", "cursor is not one this list gave: start again without it")
	if len(s) > maxCursorLen {
		return time.Time{}, "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", bad
	}
	var c cursor
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if dec.Decode(&c) != nil || dec.More() || c.View != string(view) {
		return time.Time{}, "", bad
	}
	at, err := time.Parse(time.RFC3339Nano, c.At)
	if err != nil || c.ID == "" || len(c.ID) > 1500 || strings.Contains(c.ID, "/") || !utf8.ValidString(c.ID) {
		return time.Time{}, "", bad
	}
	return at, c.ID, nil
}

// staffMessages answers one page of the panel.
func (s *server) staffMessages(w http.ResponseWriter, r *http.Request, st Staff) error {
	page, err := MessagesPage(r.Context(), s.store, st.Tenant, r.URL.Query())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, page)
	return nil
}

// MessagesPage reads one page of a tenant's panel for the query parameters v: all the
// handler does once the member is signed in (the read benchmark calls it with a store
// whose reads it counts).
func MessagesPage(ctx context.Context, db *store.Store, t *domain.Tenant, v url.Values) (MessagesResponse, error) {
	loc := t.Location()
	f, err := parsePanelFilter(v, loc)
	if err != nil {
		return MessagesResponse{}, err
	}
	var (
		page []store.PanelJob
		more bool
	)
	if f.Q != "" {
		page, err = searchPanel(ctx, db, t.ID, f)
	} else {
		page, more, err = db.PanelJobs(ctx, t.ID, f.Query)
	}
	if err != nil {
		return MessagesResponse{}, err
	}
	var ids []string // only jobs written before the client was copied onto them
	for _, pj := range page {
		if id := pj.Job.AppointmentID; id != "" && pj.Job.ClientName == "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	apts, err := db.AppointmentsByID(ctx, t.ID, ids)
	if err != nil {
		return MessagesResponse{}, err
	}
	return NewMessagesResponse(f.Query.View, page, more, apts, t, loc), nil
}

// searchPanel is the q path (see the top of this file).
func searchPanel(ctx context.Context, db *store.Store, tenantID string, f panelFilter) ([]store.PanelJob, error) {
	phones, names := searchTerms(f.Q)
	apts, err := db.SearchAppointments(ctx, tenantID, phones, names, searchAppointments)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(apts))
	for _, a := range apts {
		ids = append(ids, a.ID)
	}
	jobs, err := db.JobsOfAppointments(ctx, tenantID, ids)
	if err != nil {
		return nil, err
	}
	var all []*domain.Job
	for _, id := range ids {
		all = append(all, jobs[id]...)
	}
	return filterPanel(all, f.Query), nil
}

// filterPanel applies a panel query to jobs in memory: the view's (or the filter's)
// statuses, the type, the date range on the view's order field, the view's order, and
// the page size.
func filterPanel(jobs []*domain.Job, pq store.PanelQuery) []store.PanelJob {
	orderValue := func(j *domain.Job) time.Time {
		if pq.View == store.PanelHistory {
			return j.UpdatedAt
		}
		return j.ScheduledFor
	}
	var out []store.PanelJob
	for _, j := range jobs {
		at := orderValue(j)
		if !slices.Contains(pq.Statuses, j.Status) || pq.Type != "" && j.Type != pq.Type ||
			!pq.From.IsZero() && at.Before(pq.From) || !pq.To.IsZero() && !at.Before(pq.To) {
			continue
		}
		out = append(out, store.PanelJob{Job: j})
	}
	slices.SortStableFunc(out, func(a, b store.PanelJob) int {
		c := orderValue(a.Job).Compare(orderValue(b.Job))
		if c == 0 {
			c = cmp.Compare(a.Job.ID, b.Job.ID)
		}
		if pq.View == store.PanelHistory {
			return -c
		}
		return c
	})
	if len(out) > pq.Limit {
		out = out[:pq.Limit]
	}
	return out
}

// searchTerms reads q as a phone (8 to 15 digits, with or without +, spaces, dashes or
// parentheses: the E.164 number, and with Brazil's 55 in front when it has 10 or 11
// digits) or as the start of a client's name (as typed, and with each word capitalised).
func searchTerms(q string) (phones, names []string) {
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			return -1
		}
		return 'x'
	}, q)
	if !strings.Contains(digits, "x") && len(digits) >= 8 && len(digits) <= 15 {
		phones = append(phones, "+"+digits)
		if len(digits) == 10 || len(digits) == 11 {
			phones = append(phones, "+55"+digits)
		}
		return phones, nil
	}
	names = append(names, q)
	words := strings.Fields(q)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + strings.ToLower(w[n:])
	}
	if t := strings.Join(words, " "); t != q {
		names = append(names, t)
	}
	return nil, names
}

// Labels of the job types; a type not listed is "tipo desconhecido".
var typeLabels = map[domain.JobType]string{
	domain.JobCreated:  "aviso de agendamento",
	domain.JobReminder: "lembrete de 24 horas",
	domain.JobCanceled: "aviso de cancelamento",
	domain.JobReply:    "resposta a botão",
}

// Texts of a card whose job lacks its appointment.
const (
	textNoAppointment      = "sem agendamento"
	textMissingAppointment = "agendamento não encontrado"
)

// NewMessagesResponse builds one page of the panel: apts holds the appointments the jobs
// name (those missing are absent), t the tenant (for its configured templates).
func NewMessagesResponse(view store.PanelView, page []store.PanelJob, more bool, apts map[string]*domain.Appointment, t *domain.Tenant, loc *time.Location) MessagesResponse {
	out := MessagesResponse{View: string(view), Messages: make([]MessageCard, 0, len(page))}
	for _, pj := range page {
		out.Messages = append(out.Messages, NewMessageCard(pj, apts[pj.Job.AppointmentID], t, loc))
	}
	if more && len(page) > 0 {
		out.NextCursor = encodeCursor(view, page[len(page)-1].Job)
	}
	return out
}

// NewMessageCard is one job as the panel lists it. apt is the job's appointment (nil
// when the job names none or it is gone). A template job not yet sent names the
// template the tenant has configured for its type.
func NewMessageCard(pj store.PanelJob, apt *domain.Appointment, t *domain.Tenant, loc *time.Location) MessageCard {
	j := pj.Job
	c := MessageCard{
		JobID: j.ID, AppointmentID: j.AppointmentID, Type: string(j.Type), TypeLabel: typeLabels[j.Type],
		Status: string(j.Status), StatusLabel: NewMessageState(j, loc).Label,
		TemplateName: j.TemplateName, TemplateLanguage: j.TemplateLanguage, Text: j.Text,
		ProviderStatus: j.ProviderStatus, ReasonCode: j.ReasonCode, Reason: j.Reason,
		ScheduledFor: utc(j.ScheduledFor), ScheduledForLocal: localTime(j.ScheduledFor, loc),
		NextRetryAtLocal: localTime(j.NextRetryAt, loc), SentAtLocal: localTime(j.SentAt, loc),
		UpdatedAt: utc(j.UpdatedAt), UpdatedAtLocal: localTime(j.UpdatedAt, loc),
		Malformed: pj.Malformed,
	}
	if c.TypeLabel == "" {
		c.TypeLabel = "tipo desconhecido"
	}
	if m := j.ReminderOffset(); j.Type == domain.JobReminder && m != domain.DefaultReminderMinutes { // a reminder offset
		c.TypeLabel = strings.ToLower(ptbr.ReminderLabel(m))
	}
	if c.Type == "" {
		c.Type = "unknown"
	}
	if c.Status == "" {
		c.Status = "unknown"
	}
	switch {
	case j.ClientName != "":
		c.ClientName, c.ClientPhone = j.ClientName, j.ClientPhone
	case apt != nil:
		c.ClientName, c.ClientPhone = apt.ClientName, apt.ClientPhone
	case j.AppointmentID == "":
		c.ClientName = textNoAppointment
	default:
		c.ClientName = textMissingAppointment
	}
	if c.TemplateName == "" && c.Text == "" && t != nil && (j.Type == domain.JobCreated || j.Type == domain.JobReminder) {
		if ref, ok := t.JobTemplate(j); ok { // a reminder's is its offset's
			c.TemplateName, c.TemplateLanguage = ref.Name, ref.Language
		}
	}
	if pj.Malformed && c.Reason == "" {
		c.Reason = "Registro antigo ou com defeito: só a identificação, o tipo e a situação puderam ser lidos."
	}
	return c
}

// localTime is t as dd/mm/aaaa HH:mm in loc, "" for the zero time.
func localTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return ptbr.DateTime(t, loc)
}
