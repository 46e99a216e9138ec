package events

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lembra-app/lembra/shared/domain"
)

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
				t.WhatsApp.RecordHistoryRefusal(now, fmt.Sprintf("%d %s", me.Code, me.Title)) // its own last-event time, bounded
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
