// Package events applies what Meta's webhooks report: message statuses, client
// messages and button taps, coexistence data (echoes of messages staff sent from the
// WhatsApp Business App, history, contacts), and template and account updates.
// Every change is idempotent: a delivery seen twice changes nothing the second time.
package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// Service processes webhook deliveries.
type Service struct {
	Store          *store.Store
	Tasks          booking.Enqueuer
	Log            *slog.Logger
	Now            func() time.Time
	VoucherBaseURL string
}

// HandleDelivery processes one webhook POST body. A nil error means the delivery is
// done with (applied, or kept as a dead letter); an error asks for redelivery.
func (s *Service) HandleDelivery(ctx context.Context, body []byte, deliveryID string) error {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return s.deadLetter(ctx, deliveryID, body, "JSON inválido: "+err.Error())
	}
	if env.Object != "whatsapp_business_account" {
		return s.deadLetter(ctx, deliveryID, body, fmt.Sprintf("objeto %q não é whatsapp_business_account", env.Object))
	}
	var errs []error
	for _, e := range env.Entry {
		for i, c := range e.Changes {
			if err := s.handleChange(ctx, e, c); err != nil {
				var bad *badChange
				if errors.As(err, &bad) {
					raw, _ := json.Marshal(c)
					if err := s.deadLetter(ctx, fmt.Sprintf("%s-%s-%d", deliveryID, e.ID, i), raw, bad.Error()); err != nil {
						errs = append(errs, err)
					}
					continue
				}
				errs = append(errs, fmt.Errorf("%s change of %s: %w", c.Field, e.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

type badChange struct{ msg string }

func (b *badChange) Error() string { return b.msg }

func (s *Service) deadLetter(ctx context.Context, id string, body []byte, reason string) error {
	s.Log.ErrorContext(ctx, "webhook delivery kept as dead letter", "delivery_id", id, "reason", reason)
	if err := s.Store.PutDeadLetter(ctx, id, body, reason); err != nil {
		return fmt.Errorf("store dead letter: %w", err)
	}
	return nil
}

func (s *Service) handleChange(ctx context.Context, e entry, c change) error {
	switch c.Field {
	case "messages", "smb_message_echoes", "history":
		var v messagesValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		tenantID, ok, err := s.route(ctx, "phone_number_id", v.Metadata.PhoneNumberID, c.Value)
		if !ok || err != nil {
			return err
		}
		switch c.Field {
		case "messages":
			return s.messages(ctx, tenantID, v)
		case "smb_message_echoes":
			return s.echoes(ctx, tenantID, v)
		default:
			return s.history(ctx, tenantID, v)
		}
	case "smb_app_state_sync":
		var v stateSyncValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		tenantID, ok, err := s.route(ctx, "phone_number_id", v.Metadata.PhoneNumberID, c.Value)
		if !ok || err != nil {
			return err
		}
		return s.contacts(ctx, tenantID, v)
	case "message_template_status_update":
		var v templateStatusValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		tenantID, ok, err := s.route(ctx, "waba_id", e.ID, c.Value)
		if !ok || err != nil {
			return err
		}
		return s.templateStatus(ctx, tenantID, e, v)
	case "account_update", "phone_number_quality_update":
		var v accountValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		waba := e.ID
		if v.WABAInfo != nil && v.WABAInfo.WABAID != "" {
			waba = v.WABAInfo.WABAID
		}
		tenantID, ok, err := s.route(ctx, "waba_id", waba, c.Value)
		if !ok || err != nil {
			return err
		}
		return s.account(ctx, tenantID, e, c.Field, v)
	}
	s.Log.InfoContext(ctx, "webhook field ignored", "field", c.Field, "waba_id", e.ID)
	return nil
}

// route finds the tenant of a change; a change naming no known tenant is counted and kept.
func (s *Service) route(ctx context.Context, kind, id string, raw []byte) (string, bool, error) {
	var tenantID string
	var err error
	if kind == "waba_id" {
		tenantID, err = s.Store.TenantForWABA(ctx, id)
	} else {
		tenantID, err = s.Store.TenantForPhoneNumber(ctx, id)
	}
	if errors.Is(err, domain.ErrNotFound) {
		s.Log.WarnContext(ctx, "webhook change for an unknown number", "kind", kind, "id", id)
		if id == "" {
			id = "(vazio)"
		}
		return "", false, s.Store.CountUnrouted(ctx, kind, id, raw)
	}
	if err != nil {
		return "", false, err
	}
	return tenantID, true, nil
}

func (s *Service) messages(ctx context.Context, tenantID string, v messagesValue) error {
	var errs []error
	for _, st := range v.Statuses {
		if err := s.status(ctx, tenantID, st); err != nil {
			errs = append(errs, err)
		}
	}
	if len(v.Messages) > 0 {
		t, err := s.Store.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		for _, m := range v.Messages {
			if err := s.inbound(ctx, t, v.Contacts, m); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, me := range v.Errors {
		s.Log.WarnContext(ctx, "Meta reported an error", "tenant_id", tenantID, "code", me.Code, "title", me.Title, "details", me.ErrorData.Details)
	}
	return errors.Join(errs...)
}

var statusOf = map[string]domain.JobStatus{
	"sent": domain.JobSent, "delivered": domain.JobDelivered, "read": domain.JobRead, "played": domain.JobRead,
	"failed": domain.JobFailed,
}

// status applies one message status to its job: found by wamid, or by the job id the
// send carried in biz_opaque_callback_data when the send's answer was lost.
func (s *Service) status(ctx context.Context, tenantID string, st status) error {
	next, known := statusOf[st.Status]
	if !known || st.ID == "" {
		s.Log.InfoContext(ctx, "status ignored", "tenant_id", tenantID, "status", st.Status)
		return nil
	}
	jobID := ""
	owner, id, err := s.Store.JobForWAMID(ctx, st.ID)
	switch {
	case err == nil && owner == tenantID:
		jobID = id
	case err == nil || errors.Is(err, domain.ErrNotFound):
		if t, j, ok := strings.Cut(st.BizOpaqueCallbackData, "/"); ok && t == tenantID {
			jobID = j
		}
	default:
		return err
	}
	if jobID == "" {
		s.Log.InfoContext(ctx, "status of a message Lembra did not send", "tenant_id", tenantID, "wamid", st.ID, "status", st.Status)
		return nil
	}
	at := unixTime(st.Timestamp, s.Now().UTC())
	_, err = s.Store.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		return applyStatus(tx, st, next, at)
	})
	if errors.Is(err, domain.ErrNotFound) {
		s.Log.WarnContext(ctx, "status names a job that does not exist", "tenant_id", tenantID, "job_id", jobID)
		return nil
	}
	return err
}

// applyStatus moves a job forward only, adds each status to the timeline once, and
// keeps Meta's time, pricing and error details.
func applyStatus(tx *store.JobTx, st status, next domain.JobStatus, at time.Time) error {
	j := tx.Job
	changed := false
	if j.ProviderMessageID == "" {
		// The send's answer was lost: this status is how we learn the wamid.
		j.ProviderMessageID = st.ID
		tx.IndexWAMID(st.ID)
		changed = true
	}
	if j.ProviderStatusTimes == nil {
		j.ProviderStatusTimes = map[string]time.Time{}
	}
	if _, seen := j.ProviderStatusTimes[st.Status]; !seen {
		j.ProviderStatusTimes[st.Status] = at
		changed = true
	}
	if st.Pricing != nil && j.Pricing == nil {
		j.Pricing = &domain.Pricing{Billable: st.Pricing.Billable, Model: st.Pricing.PricingModel, Category: st.Pricing.Category, Type: st.Pricing.Type}
		if st.Conversation != nil {
			j.Pricing.ConversationID, j.Pricing.ConversationOrigin = st.Conversation.ID, st.Conversation.Origin.Type
		}
		changed = true
	}
	before := j.Status
	switch {
	case next == domain.JobFailed:
		if j.Status != domain.JobDelivered && j.Status != domain.JobRead && j.Status != domain.JobFailed {
			j.Status = domain.JobFailed
			var code int
			var title, details string
			if len(st.Errors) > 0 {
				code, title, details = st.Errors[0].Code, st.Errors[0].Title, st.Errors[0].ErrorData.Details
			}
			j.ErrorCode, j.ErrorTitle, j.ErrorDetails = code, title, details
			j.ReasonCode, j.Reason = ptbr.ReasonMetaError, ptbr.MetaError(code, title)
		}
	case j.Status == domain.JobFailed || j.Status == domain.JobSkipped:
		// A late sent/delivered after a failure changes nothing but the recorded times.
	default:
		j.Status = j.Status.Advance(next)
	}
	if j.Status != before {
		changed = true
		j.NextRetryAt, j.LeaseUntil = time.Time{}, time.Time{} // a pending retry is called off
		if j.SentAt.IsZero() {
			j.SentAt = at
		}
	}
	j.ProviderStatus = string(j.Status)
	for _, ev := range []domain.JobStatus{domain.JobSent, domain.JobDelivered, domain.JobRead, domain.JobFailed} {
		if ev == next && !j.HasEvent(string(ev)) && (ev != domain.JobFailed || j.Status == domain.JobFailed) {
			detail := ""
			if ev == domain.JobFailed {
				detail = j.Reason
			}
			j.AddEvent(at, string(ev), detail)
			changed = true
		}
	}
	if !changed {
		return store.ErrNoChange
	}
	return nil
}

// Button actions.
const (
	actionConfirm    = "confirm"
	actionReschedule = "reschedule"
	actionTalk       = "talk"
)

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	return out
}

// buttonAction reads a quick-reply tap (template button, or interactive reply) by
// payload or label. The third button's label is the tenant's ("Falar com a Jana").
func buttonAction(t *domain.Tenant, m message) string {
	var keys []string
	switch {
	case m.Type == "button" && m.Button != nil:
		keys = []string{m.Button.Payload, m.Button.Text}
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ButtonReply != nil:
		keys = []string{m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title}
	default:
		return ""
	}
	for _, k := range keys {
		f := fold(k)
		switch {
		case f == "confirmar" || f == "confirm" || strings.HasPrefix(f, "confirmar "):
			return actionConfirm
		case f == "reagendar" || f == "reschedule" || strings.HasPrefix(f, "reagendar "):
			return actionReschedule
		case strings.HasPrefix(f, "falar com") || f == "falar" || f == "talk" || (t.StaffLabel != "" && f == fold(t.StaffLabel)):
			return actionTalk
		}
	}
	return ""
}

// ReplyJobID derives a reply's job id from the client message it answers, so a
// repeated delivery never answers twice.
func ReplyJobID(inboundID string) string {
	sum := sha256.Sum256([]byte(inboundID))
	return "reply-" + hex.EncodeToString(sum[:12])
}

func (s *Service) inbound(ctx context.Context, t *domain.Tenant, contacts []contact, m message) error {
	now := s.Now().UTC()
	in := domain.Inbound{
		ID: m.ID, WAID: m.From, UserID: m.FromUserID, At: unixTime(m.Timestamp, now), Type: m.Type, Text: m.text(),
	}
	for _, c := range contacts {
		if c.WAID == m.From || (c.UserID != "" && c.UserID == m.FromUserID) || len(contacts) == 1 {
			if in.WAID == "" {
				in.WAID = c.WAID
			}
			if in.UserID == "" {
				in.UserID = c.UserID
			}
			in.Name = c.Profile.Name
		}
	}
	if m.Context != nil {
		in.ContextID = m.Context.ID
	}
	if m.Button != nil {
		in.Payload = m.Button.Payload
	} else if m.Interactive != nil && m.Interactive.ButtonReply != nil {
		in.Payload = m.Interactive.ButtonReply.ID
	}
	if in.ID == "" || in.Identity() == "" {
		s.Log.WarnContext(ctx, "client message without id or sender ignored", "tenant_id", t.ID)
		return nil
	}
	action := buttonAction(t, m)
	res, err := s.Store.RecordInbound(ctx, t.ID, in, func(apt *domain.Appointment, _ *domain.Job) (store.InboundDecision, error) {
		var d store.InboundDecision
		if apt != nil && in.At.After(apt.LastInboundAt) {
			apt.LastInboundAt, apt.LastInboundID = in.At, in.ID
			d.AptChanged = true
		}
		if action == "" {
			return d, nil
		}
		text, changed := s.answer(t, apt, action, in.At, now)
		d.AptChanged = d.AptChanged || changed
		if in.WAID == "" {
			return d, nil // no phone number to answer to; staff see the tap
		}
		reply := &domain.Job{
			ID: ReplyJobID(in.ID), TenantID: t.ID, Type: domain.JobReply, Status: domain.JobPending,
			ScheduledFor: now, DeliveryMode: domain.DeliverySession, Text: text, InboundID: in.ID,
			Recipient: "+" + strings.TrimPrefix(in.WAID, "+"), CreatedAt: now,
		}
		if apt != nil {
			reply.AppointmentID = apt.ID
		}
		reply.AddEvent(now, "created", "")
		d.Reply = reply
		return d, nil
	})
	if err != nil {
		return err
	}
	log := s.Log.With("tenant_id", t.ID, "inbound_id", in.ID)
	if res.Duplicate {
		log.DebugContext(ctx, "client message seen before")
	} else {
		attrs := []any{"type", in.Type, "action", action, "correlated", res.Appointment != nil}
		log.InfoContext(ctx, "client message recorded", attrs...)
	}
	if res.Reply != nil && res.Reply.Status == domain.JobPending {
		if _, err := s.Tasks.Enqueue(ctx, domain.TaskName(t.ID, res.Reply.ID, "send-1"), time.Time{},
			queue.Payload{TenantID: t.ID, JobID: res.Reply.ID}); err != nil {
			return err
		}
	}
	return nil
}

// answer decides the reply to a button and changes the appointment accordingly.
func (s *Service) answer(t *domain.Tenant, apt *domain.Appointment, action string, at, now time.Time) (string, bool) {
	if apt == nil {
		return ptbr.ReplyUnknown(t.Name), false
	}
	loc := t.Location()
	date, hour := ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc)
	switch {
	case apt.Status == domain.AppointmentCanceled:
		return ptbr.ReplyCanceled(apt.Service, date, hour), false
	case !apt.StartsAt.After(now):
		return ptbr.ReplyPast(apt.Service, date, hour), false
	}
	switch action {
	case actionConfirm:
		changed := false
		if apt.Status != domain.AppointmentConfirmed {
			apt.Status, apt.ConfirmedAt, apt.UpdatedAt = domain.AppointmentConfirmed, at, now
			changed = true
		}
		url := ""
		if s.VoucherBaseURL != "" {
			url = s.VoucherBaseURL + "/" + apt.VoucherToken
		}
		return ptbr.ReplyConfirmed(apt.Service, date, hour, url), changed
	case actionReschedule:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = "reschedule_requested", at, now
		if t.RescheduleText != "" {
			return t.RescheduleText, true
		}
		return ptbr.ReplyReschedule(t.Name), true
	default:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = "talk_requested", at, now
		return ptbr.ReplyTalk(t.Name), true
	}
}

// echoes records what staff sent from the WhatsApp Business App (coexistence), so the
// conversation shows manual and automatic messages together. Echoes open no window.
func (s *Service) echoes(ctx context.Context, tenantID string, v messagesValue) error {
	now := s.Now().UTC()
	var errs []error
	for _, m := range v.Echoes {
		if m.ID == "" || m.To == "" {
			continue
		}
		err := s.Store.RecordConversationMessage(ctx, tenantID, m.To, domain.ConversationMessage{
			ID: m.ID, Direction: "out", Source: domain.SourceManual, Type: m.Type, Text: m.text(), At: unixTime(m.Timestamp, now),
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// history backfills conversations after coexistence onboarding: nothing is sent and no
// window opens for old messages.
func (s *Service) history(ctx context.Context, tenantID string, v messagesValue) error {
	now := s.Now().UTC()
	var errs []error
	record := func(thread string, m message) {
		if m.ID == "" || thread == "" {
			return
		}
		dir := "out"
		if m.From == thread {
			dir = "in"
		}
		cm := domain.ConversationMessage{ID: m.ID, Direction: dir, Source: domain.SourceHistory, Type: m.Type, Text: m.text(), At: unixTime(m.Timestamp, now)}
		if m.HistoryContext != nil {
			cm.Status = strings.ToLower(m.HistoryContext.Status)
		}
		if err := s.Store.RecordConversationMessage(ctx, tenantID, thread, cm); err != nil {
			errs = append(errs, err)
		}
	}
	for _, chunk := range v.History {
		for _, me := range chunk.Errors {
			s.Log.WarnContext(ctx, "history sync refused", "tenant_id", tenantID, "code", me.Code, "title", me.Title)
			err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
				t.WhatsApp.LastEvent, t.WhatsApp.LastEventAt = "HISTORY_DECLINED", now
				t.WhatsApp.LastEventInfo = fmt.Sprintf("%d %s", me.Code, me.Title)
				return nil
			})
			if err != nil {
				errs = append(errs, err)
			}
		}
		for _, th := range chunk.Threads {
			for _, m := range th.Messages {
				record(th.ID, m)
			}
		}
	}
	// Media items of a history sync arrive later as a "history" change with messages.
	for _, m := range v.Messages {
		thread := m.From
		if m.To != "" {
			thread = m.To
		}
		record(thread, m)
	}
	return errors.Join(errs...)
}

func (s *Service) contacts(ctx context.Context, tenantID string, v stateSyncValue) error {
	now := s.Now().UTC()
	var errs []error
	for _, it := range v.StateSync {
		if it.Type != "contact" || it.Contact.PhoneNumber == "" {
			continue
		}
		c := domain.Contact{
			Phone: it.Contact.PhoneNumber, FullName: it.Contact.FullName, FirstName: it.Contact.FirstName,
			Removed: it.Action == "remove", UpdatedAt: unixTime(it.Metadata.Timestamp, now),
		}
		if err := s.Store.PutContact(ctx, tenantID, c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func entryTime(e entry, now time.Time) time.Time {
	if e.Time > 0 {
		return time.Unix(e.Time, 0).UTC()
	}
	return now
}

func (s *Service) templateStatus(ctx context.Context, tenantID string, e entry, v templateStatusValue) error {
	if v.Name == "" || v.Event == "" {
		return &badChange{"message_template_status_update sem nome ou evento"}
	}
	at := entryTime(e, s.Now().UTC())
	reason := ""
	if v.Reason != nil {
		reason = *v.Reason
	}
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		key := domain.TemplateKey(v.Name, v.Language)
		if old, ok := t.TemplateStatuses[key]; ok && old.UpdatedAt.After(at) {
			return store.ErrNoChange // an older event delivered late
		}
		if t.TemplateStatuses == nil {
			t.TemplateStatuses = map[string]domain.TemplateStatus{}
		}
		t.TemplateStatuses[key] = domain.TemplateStatus{Name: v.Name, Language: v.Language, Status: v.Event, Reason: reason, UpdatedAt: at}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "template status updated", "tenant_id", tenantID, "template", v.Name, "language", v.Language, "status", v.Event)
	}
	return err
}

// connectionStatus maps account events to the tenant's connection status ("" keeps it).
var connectionStatus = map[string]string{
	"PARTNER_REMOVED": "disconnected", "PARTNER_APP_UNINSTALLED": "disconnected", "ACCOUNT_DELETED": "disconnected",
	"DISABLED_UPDATE": "restricted", "ACCOUNT_VIOLATION": "restricted",
	"PARTNER_ADDED": "connected", "PARTNER_APP_INSTALLED": "connected", "ACCOUNT_RECONNECTED": "connected",
}

func (s *Service) account(ctx context.Context, tenantID string, e entry, field string, v accountValue) error {
	at := entryTime(e, s.Now().UTC())
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		if t.WhatsApp.LastEventAt.After(at) {
			return store.ErrNoChange
		}
		t.WhatsApp.LastEvent, t.WhatsApp.LastEventAt = v.Event, at
		var info []string
		for _, raw := range []json.RawMessage{v.DisconnectionInfo, v.BanInfo, v.ViolationInfo} {
			if len(raw) > 0 && string(raw) != "null" {
				info = append(info, string(raw))
			}
		}
		t.WhatsApp.LastEventInfo = strings.Join(info, " ")
		if field == "phone_number_quality_update" {
			if tier := v.MaxDailyConversationsPerBusiness; tier != "" {
				t.WhatsApp.MessagingTier = tier
			} else if v.CurrentLimit != "" {
				t.WhatsApp.MessagingTier = v.CurrentLimit
			}
		}
		if st := connectionStatus[v.Event]; st != "" {
			t.WhatsApp.Status = st
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "account event recorded", "tenant_id", tenantID, "field", field, "event", v.Event)
	}
	return err
}
