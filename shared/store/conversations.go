package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
)

const (
	colConversations = "conversations"
	colMessages      = "messages"
	colInbound       = "inbound"
	colContacts      = "contacts"
)

func (s *Store) conversation(tenantID, identity string) *firestore.DocumentRef {
	return s.tenant(tenantID).Collection(colConversations).Doc(identity)
}

// InboundDecision is what the events service decides about a client message once it
// sees the appointment and our message it answers.
type InboundDecision struct {
	Reply      *domain.Job // a session reply to create, or nil
	AptChanged bool        // the appointment was changed and must be written
}

// InboundResult is what RecordInbound did.
type InboundResult struct {
	Duplicate   bool
	Appointment *domain.Appointment // correlated through context.id, if any
	Outbound    *domain.Job         // our message the client answered, if any
	Reply       *domain.Job         // the reply job (new, or existing on a duplicate)
}

// RecordInbound stores a client message once, in one transaction with everything it
// changes: the conversation ledger (the 24-hour window), the message in the
// conversation, the correlated appointment, and a reply job. A message seen before
// changes nothing; its existing reply job is returned so the caller can make sure it
// is queued. decide also sees the client's ledger as stored (read in the transaction
// anyway), so that it can space a reply after the client's previous one; a reply
// scheduled later than the ledger's LastReplyAt moves it.
func (s *Store) RecordInbound(ctx context.Context, tenantID string, in domain.Inbound,
	decide func(apt *domain.Appointment, outbound *domain.Job, conv domain.Conversation) (InboundDecision, error)) (InboundResult, error) {
	var res InboundResult
	inRef := s.tenant(tenantID).Collection(colInbound).Doc(in.ID)
	convRef := s.conversation(tenantID, in.Identity())
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		res = InboundResult{}
		snap, err := tx.Get(inRef)
		if err == nil {
			res.Duplicate = true
			replyID, _ := snap.Data()["reply_job_id"].(string)
			if replyID != "" {
				js, err := tx.Get(s.job(tenantID, replyID))
				if err == nil {
					res.Reply, err = decodeJob(js)
				}
				if err != nil && !notFound(err) {
					return err
				}
			}
			return nil
		}
		if !notFound(err) {
			return err
		}
		var conv domain.Conversation
		if cs, err := tx.Get(convRef); err == nil {
			if err := cs.DataTo(&conv); err != nil {
				return err
			}
		} else if !notFound(err) {
			return err
		}
		if in.ContextID != "" {
			// The message it quotes (a tap on our buttons, a reply to our message): the
			// tenant's job whose wamid it is, by one query read in the transaction.
			js, err := tx.Documents(s.jobByWAMID(tenantID, in.ContextID)).GetAll()
			if err != nil {
				return err
			}
			if len(js) > 0 {
				if res.Outbound, err = decodeJob(js[0]); err != nil {
					return err
				}
			}
		}
		if res.Outbound != nil && res.Outbound.AppointmentID != "" {
			as, err := tx.Get(s.appointment(tenantID, res.Outbound.AppointmentID))
			if err == nil {
				if res.Appointment, err = decodeAppointment(as); err != nil {
					return err
				}
			} else if !notFound(err) {
				return err
			}
		}
		d, err := decide(res.Appointment, res.Outbound, conv)
		if err != nil {
			return err
		}
		if d.Reply != nil && d.Reply.ScheduledFor.After(conv.LastReplyAt) {
			conv.LastReplyAt = d.Reply.ScheduledFor
		}
		res.Reply = d.Reply
		replyRef, countReply, err := s.firstButtonReply(tx, tenantID, in, res.Outbound)
		if err != nil {
			return err
		}

		conv.WAID, conv.UserID = in.WAID, in.UserID
		if in.Name != "" {
			conv.Name = in.Name
		}
		if in.At.After(conv.LastInboundAt) {
			conv.LastInboundAt, conv.LastInboundID = in.At, in.ID
		}
		if in.At.After(conv.LastMessageAt) {
			conv.LastMessageAt = in.At
		}
		doc := map[string]any{
			"wa_id": in.WAID, "user_id": in.UserID, "type": in.Type, "text": in.Text, "payload": in.Payload,
			"context_id": in.ContextID, "at": in.At, "received_at": time.Now().UTC(),
		}
		msg := domain.ConversationMessage{Direction: "in", Source: domain.SourceClient, Type: in.Type, Text: in.Text, At: in.At, ContextID: in.ContextID}
		if res.Appointment != nil {
			doc["appointment_id"] = res.Appointment.ID
			msg.AppointmentID = res.Appointment.ID
		}
		if d.Reply != nil {
			doc["reply_job_id"] = d.Reply.ID
		}
		if countReply {
			if err := s.countButtonReply(ctx, tx, tenantID, replyRef, in); err != nil {
				return err
			}
		}
		if err := tx.Create(inRef, doc); err != nil {
			return err
		}
		if err := tx.Set(convRef, conv); err != nil {
			return err
		}
		if err := tx.Set(convRef.Collection(colMessages).Doc(in.ID), msg); err != nil {
			return err
		}
		if d.AptChanged && res.Appointment != nil {
			if err := tx.Set(s.appointment(tenantID, res.Appointment.ID), res.Appointment); err != nil {
				return err
			}
		}
		if d.Reply != nil {
			if err := s.writeJob(ctx, tx, tenantID, domain.CounterState{}, d.Reply, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return InboundResult{}, fmt.Errorf("record inbound %s: %w", logging.WAMIDHash(in.ID), err) // errors get logged
	}
	return res, nil
}

// RecordConversationMessage stores a message that opens no window: an echo of what
// staff sent from the Business App, or a history backfill. Storing it twice is harmless.
func (s *Store) RecordConversationMessage(ctx context.Context, tenantID, identity string, m domain.ConversationMessage) error {
	convRef := s.conversation(tenantID, identity)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		var conv domain.Conversation
		if cs, err := tx.Get(convRef); err == nil {
			if err := cs.DataTo(&conv); err != nil {
				return err
			}
		} else if !notFound(err) {
			return err
		}
		if conv.WAID == "" {
			conv.WAID = identity
		}
		if m.At.After(conv.LastMessageAt) {
			conv.LastMessageAt = m.At
		}
		if err := tx.Set(convRef, conv); err != nil {
			return err
		}
		return tx.Set(convRef.Collection(colMessages).Doc(m.ID), m)
	})
	if err != nil {
		return fmt.Errorf("record conversation message %s: %w", logging.WAMIDHash(m.ID), err)
	}
	return nil
}

// GetConversation reads a client's ledger, under either form of a Brazilian mobile
// number (domain.ClientIdentityForms: a second read only when the first finds none).
func (s *Store) GetConversation(ctx context.Context, tenantID, identity string) (*domain.Conversation, error) {
	var err error
	for _, id := range domain.ClientIdentityForms(identity) {
		var c *domain.Conversation
		if c, err = get[domain.Conversation](ctx, s.conversation(tenantID, id), nil); !errors.Is(err, domain.ErrNotFound) {
			return c, err
		}
	}
	return nil, err
}

// ConversationMessages lists a conversation's messages, oldest first.
func (s *Store) ConversationMessages(ctx context.Context, tenantID, identity string) ([]domain.ConversationMessage, error) {
	snaps, err := s.conversation(tenantID, identity).Collection(colMessages).OrderBy("at", firestore.Asc).Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make([]domain.ConversationMessage, 0, len(snaps))
	for _, snap := range snaps {
		m, err := decode(snap, setMessageID)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// PutContact records a contact of the tenant's Business App address book, unless a
// newer change to it is already stored.
func (s *Store) PutContact(ctx context.Context, tenantID string, c domain.Contact) error {
	ref := s.tenant(tenantID).Collection(colContacts).Doc(c.Phone)
	return s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err == nil {
			var old domain.Contact
			if err := snap.DataTo(&old); err == nil && old.UpdatedAt.After(c.UpdatedAt) {
				return nil
			}
		} else if !notFound(err) {
			return err
		}
		return tx.Set(ref, c)
	})
}

// GetContact reads a contact.
func (s *Store) GetContact(ctx context.Context, tenantID, phone string) (*domain.Contact, error) {
	return get[domain.Contact](ctx, s.tenant(tenantID).Collection(colContacts).Doc(phone), nil)
}

// RecentConversationMessages lists a conversation's newest messages, at most limit,
// oldest first (one order on at: the automatic single-field index). A message that does
// not decode is left out, so an old or broken document never breaks the view.
func (s *Store) RecentConversationMessages(ctx context.Context, tenantID, identity string, limit int) ([]domain.ConversationMessage, error) {
	it := s.conversation(tenantID, identity).Collection(colMessages).OrderBy("at", firestore.Desc).Limit(limit).Documents(ctx)
	snaps, err := it.GetAll()
	if err != nil {
		return nil, fmt.Errorf("conversation messages: %w", err)
	}
	out := make([]domain.ConversationMessage, 0, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		m, err := decode(snaps[i], setMessageID)
		if err != nil {
			continue
		}
		out = append(out, *m)
	}
	return out, nil
}

// RepliesTo lists the client messages that answered our message wamid (their context
// id), at most limit: a one-field query on the tenant's inbound record.
func (s *Store) RepliesTo(ctx context.Context, tenantID, wamid string, limit int) ([]domain.ConversationMessage, error) {
	if wamid == "" {
		return nil, nil
	}
	snaps, err := s.tenant(tenantID).Collection(colInbound).Where("context_id", "==", wamid).Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("replies to %s: %w", logging.WAMIDHash(wamid), err)
	}
	out := make([]domain.ConversationMessage, 0, len(snaps))
	for _, snap := range snaps {
		d := snap.Data()
		at, ok := d["at"].(time.Time)
		if !ok {
			continue
		}
		m := domain.ConversationMessage{ID: snap.Ref.ID, Direction: "in", Source: domain.SourceClient, At: at, ContextID: wamid}
		m.Type, _ = d["type"].(string)
		m.Text, _ = d["text"].(string)
		out = append(out, m)
	}
	return out, nil
}
