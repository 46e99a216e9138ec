// Package events applies what Meta's webhooks report: message statuses, client
// messages and button taps, coexistence data (echoes of messages staff sent from the
// WhatsApp Business App, history, contacts), and template and account updates.
// Every change is idempotent: a delivery seen twice changes nothing the second time.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// Service processes webhook deliveries.
type Service struct {
	Store *store.Store
	Tasks queue.Enqueuer
	// Pacer re-paces a tenant's send queues when Meta upgrades its number's throughput.
	Pacer          queue.Pacer
	Log            *slog.Logger
	Now            func() time.Time
	VoucherBaseURL string
	// PairGap spaces the answers to one client's quick taps (config.Config.PairGap).
	PairGap time.Duration
}

// HandleDelivery processes one webhook POST body. A nil error means the delivery is
// done with (applied, or kept as a dead letter); an error asks for redelivery.
func (s *Service) HandleDelivery(ctx context.Context, body []byte, deliveryID string) error {
	var env meta.WebhookEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return s.deadLetter(ctx, DeadLetterID(deliveryID, -1, -1), body, "JSON inválido: "+err.Error())
	}
	if env.Object != "whatsapp_business_account" {
		return s.deadLetter(ctx, DeadLetterID(deliveryID, -1, -1), body, fmt.Sprintf("objeto %q não é whatsapp_business_account", env.Object))
	}
	var errs []error
	for ei, e := range env.Entry {
		for ci, c := range e.Changes {
			if err := s.handleChange(ctx, e, c); err != nil {
				var bad *badChange
				if errors.As(err, &bad) {
					raw, _ := json.Marshal(c)
					if err := s.deadLetter(ctx, DeadLetterID(deliveryID, ei, ci), raw, bad.Error()); err != nil {
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

// DeadLetterID names a dead letter: the delivery (its Pub/Sub message id) and, for one
// change that cannot be applied, the index of its entry and of the change in that entry
// (entry ids, the WABA ids, can repeat within a delivery; indexes cannot). ei < 0 means
// the whole delivery.
func DeadLetterID(deliveryID string, ei, ci int) string {
	if ei < 0 {
		return deliveryID + "-delivery"
	}
	return fmt.Sprintf("%s-e%d-c%d", deliveryID, ei, ci)
}

type badChange struct{ msg string }

func (b *badChange) Error() string { return b.msg }

func (s *Service) deadLetter(ctx context.Context, id string, body []byte, reason string) error {
	reason = meta.ClipErrorText(reason) // it can quote the delivery
	s.Log.ErrorContext(ctx, logging.MsgDeadLetterKept, "delivery_id", id, "reason", reason, "body_bytes", len(body))
	if err := s.Store.PutDeadLetter(ctx, id, body, reason); err != nil {
		return fmt.Errorf("store dead letter: %w", err)
	}
	return nil
}

func (s *Service) handleChange(ctx context.Context, e meta.WebhookEntry, c meta.WebhookChange) error {
	switch c.Field {
	case "messages", "smb_message_echoes", "history":
		var v meta.MessagesValue
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
		var v meta.StateSyncValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		tenantID, ok, err := s.route(ctx, "phone_number_id", v.Metadata.PhoneNumberID, c.Value)
		if !ok || err != nil {
			return err
		}
		return s.contacts(ctx, tenantID, v)
	case "message_template_status_update":
		var v meta.TemplateStatusValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return &badChange{"valor ilegível: " + err.Error()}
		}
		tenantID, ok, err := s.route(ctx, "waba_id", e.ID, c.Value)
		if !ok || err != nil {
			return err
		}
		return s.templateStatus(ctx, tenantID, e, v)
	case "message_template_quality_update", "template_category_update":
		return s.templateChange(ctx, e, c)
	case "business_capability_update":
		return s.capability(ctx, e, c.Value)
	case "account_update", "phone_number_quality_update":
		var v meta.AccountValue
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
	s.Log.InfoContext(ctx, "webhook field ignored", "field", meta.ClipErrorText(c.Field), "waba_id", meta.ClipErrorText(e.ID))
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
		s.Log.WarnContext(ctx, "webhook change for an unknown number", "kind", kind, "id", meta.ClipErrorText(id), "id_bytes", len(id))
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

func (s *Service) messages(ctx context.Context, tenantID string, v meta.MessagesValue) error {
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
