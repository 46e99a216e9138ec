package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

// threadMessage is a message to record in the conversation of one client (thread: the
// client's WhatsApp id).
type threadMessage struct {
	Thread  string
	Message domain.ConversationMessage
}

// echoes records what staff sent from the WhatsApp Business App (coexistence), so the
// conversation shows manual and automatic messages together. Echoes open no window.
func (s *Service) echoes(ctx context.Context, tenantID string, v meta.MessagesValue) error {
	return s.recordAll(ctx, tenantID, echoMessages(v, s.Now().UTC()))
}

// echoMessages reads the echoes of a change: outgoing, manual, in the thread of the
// client they went to; an echo without id or recipient is left out.
func echoMessages(v meta.MessagesValue, now time.Time) []threadMessage {
	var out []threadMessage
	for _, m := range v.Echoes {
		if m.ID == "" || m.To == "" {
			continue
		}
		out = append(out, threadMessage{m.To, domain.ConversationMessage{
			ID: m.ID, Direction: "out", Source: domain.SourceManual, Type: m.Type, Text: m.Readable(), At: meta.WebhookTime(m.Timestamp, now),
		}})
	}
	return out
}

// history backfills conversations after coexistence onboarding: nothing is sent and no
// window opens for old messages. A sync the business declined is recorded on the tenant.
func (s *Service) history(ctx context.Context, tenantID string, v meta.MessagesValue) error {
	now := s.Now().UTC()
	var errs []error
	for _, me := range historyRefusals(v) {
		s.Log.WarnContext(ctx, "history sync refused", "tenant_id", tenantID, "code", me.Code, "title", me.Title)
		err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
			t.WhatsApp.RecordHistoryRefusal(now, fmt.Sprintf("%d %s", me.Code, me.Title)) // its own last-event time, bounded
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if u, ok := historyProgress(v, now); ok {
		errs = append(errs, s.applySync(ctx, tenantID, u))
	}
	errs = append(errs, s.recordAll(ctx, tenantID, historyMessages(v, now)))
	return errors.Join(errs...)
}

// HistoryDeclined is the error of a history sync the business turned off in the
// WhatsApp Business App
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/history).
const HistoryDeclined = 2593109

// historyProgress reads what a history change says of the sync's progress: the
// highest metadata.progress (0..100, 100 = complete) of its chunks, which may come in
// any chunk_order, and whether the business declined (error 2593109). A change with
// only media messages (no history chunks) says nothing.
func historyProgress(v meta.MessagesValue, now time.Time) (domain.SyncUpdate, bool) {
	u := domain.SyncUpdate{At: now}
	for _, chunk := range v.History {
		declined := false
		for _, e := range chunk.Errors {
			declined = declined || e.Code == HistoryDeclined
		}
		if declined {
			u.HistoryDeclined = true
			continue
		}
		if len(chunk.Errors) > 0 {
			continue
		}
		if !u.HistoryChunk || chunk.Metadata.Progress > u.HistoryProgress {
			u.HistoryChunk, u.HistoryProgress = true, chunk.Metadata.Progress
		}
	}
	return u, u.HistoryChunk || u.HistoryDeclined
}

// applySync records a sync update on the tenant (domain.ConnectionSync.ApplySync).
func (s *Service) applySync(ctx context.Context, tenantID string, u domain.SyncUpdate) error {
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		sync := domain.ConnectionSync{}
		if t.WhatsApp.Sync != nil {
			sync = *t.WhatsApp.Sync
		}
		if !sync.ApplySync(u) {
			return store.ErrNoChange
		}
		t.WhatsApp.Sync = &sync
		return nil
	})
	if errors.Is(err, store.ErrNoChange) {
		return nil
	}
	if err == nil {
		s.Log.InfoContext(ctx, "coexistence sync recorded", "tenant_id", tenantID, "history_progress", u.HistoryProgress,
			"history_declined", u.HistoryDeclined, "contacts", u.ContactsArrived)
	}
	return err
}

// historyRefusals reads the errors of a history change, as when the business declined
// to share its chat history.
func historyRefusals(v meta.MessagesValue) []meta.WebhookError {
	var out []meta.WebhookError
	for _, chunk := range v.History {
		out = append(out, chunk.Errors...)
	}
	return out
}

// historyMessages reads the messages of a history change, thread by thread: a message
// from the thread's client is incoming, any other outgoing; the status it had on the
// phone is kept. Media items of a history sync arrive later as a history change with
// messages, in the thread of their recipient (or sender). A message without id or
// thread is left out.
func historyMessages(v meta.MessagesValue, now time.Time) []threadMessage {
	var out []threadMessage
	add := func(thread string, m meta.WebhookMessage) {
		if m.ID == "" || thread == "" {
			return
		}
		dir := "out"
		if m.From == thread {
			dir = "in"
		}
		cm := domain.ConversationMessage{ID: m.ID, Direction: dir, Source: domain.SourceHistory, Type: m.Type, Text: m.Readable(), At: meta.WebhookTime(m.Timestamp, now)}
		if m.HistoryContext != nil {
			cm.Status = strings.ToLower(m.HistoryContext.Status)
		}
		out = append(out, threadMessage{thread, cm})
	}
	for _, chunk := range v.History {
		for _, th := range chunk.Threads {
			for _, m := range th.Messages {
				add(th.ID, m)
			}
		}
	}
	for _, m := range v.Messages {
		thread := m.From
		if m.To != "" {
			thread = m.To
		}
		add(thread, m)
	}
	return out
}

func (s *Service) recordAll(ctx context.Context, tenantID string, ms []threadMessage) error {
	var errs []error
	for _, tm := range ms {
		if err := s.Store.RecordConversationMessage(ctx, tenantID, tm.Thread, tm.Message); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) contacts(ctx context.Context, tenantID string, v meta.StateSyncValue) error {
	var errs []error
	if len(v.StateSync) > 0 { // the contacts sync answered (or the address book changed)
		errs = append(errs, s.applySync(ctx, tenantID, domain.SyncUpdate{At: s.Now().UTC(), ContactsArrived: true}))
	}
	for _, c := range stateContacts(v, s.Now().UTC()) {
		if err := s.Store.PutContact(ctx, tenantID, c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// stateContacts reads the address-book changes of an smb_app_state_sync: contacts
// only, with a phone number; "remove" marks the contact removed.
func stateContacts(v meta.StateSyncValue, now time.Time) []domain.Contact {
	var out []domain.Contact
	for _, it := range v.StateSync {
		if it.Type != "contact" || it.Contact.PhoneNumber == "" {
			continue
		}
		out = append(out, domain.Contact{
			Phone: it.Contact.PhoneNumber, FullName: it.Contact.FullName, FirstName: it.Contact.FirstName,
			Removed: it.Action == "remove", UpdatedAt: meta.WebhookTime(it.Metadata.Timestamp, now),
		})
	}
	return out
}
