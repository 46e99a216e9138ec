package events

import (
	"context"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// optOutIntent reads a client message for an opt-out keyword or VOLTAR: only a text
// message she typed (a button tap is an answer, never an opt-out), from a client with
// a number (a username-only client gets no automatic message anyway).
func optOutIntent(t *domain.Tenant, in domain.Inbound, action string) domain.OptOutIntent {
	if action != "" || in.Type != "text" || in.WAID == "" {
		return domain.OptOutNone
	}
	return domain.MatchOptOut(in.Text, t.OptOutKeywords)
}

// decideOptOutReply is the answer a client message gets, given her opt-out: a keyword
// is answered with its confirmation (a session reply inside the window her message
// opened, whose id comes from her message, so three deliveries of it answer once);
// any other answer (to a button tap) to a client who opted out is recorded skipped
// with the reason. reply is the answer decideInbound made (nil: none).
func decideOptOutReply(t *domain.Tenant, in domain.Inbound, intent domain.OptOutIntent, conv domain.Conversation, reply *domain.Job, now time.Time) *domain.Job {
	switch intent {
	case domain.OptOutStop, domain.OptOutResume:
		if conv.OptOut != nil && !conv.OptOut.At.Before(in.At) {
			// Her ledger holds a change as recent as this message or newer (a PARAR
			// redelivered after her VOLTAR): this one changes nothing, so it is not
			// answered as if it did.
			return reply
		}
		text := ptbr.OptOutConfirmation(t.Name)
		if intent == domain.OptOutStop && conv.OptedOut() {
			return reply // already opted out: one confirmation is enough
		}
		if intent == domain.OptOutResume {
			if !conv.OptedOut() {
				return reply // VOLTAR from a client who never opted out is an ordinary message
			}
			text = ptbr.OptOutResumed(t.Name, stopWord(t))
		}
		j := &domain.Job{
			ID: ReplyJobID(in.ID), TenantID: t.ID, Type: domain.JobReply, Status: domain.JobPending,
			ScheduledFor: now, DeliveryMode: domain.DeliverySession, Text: text, InboundID: in.ID,
			Recipient: "+" + strings.TrimPrefix(in.WAID, "+"), CreatedAt: now,
		}
		j.AddEvent(now, "created", "")
		return j
	}
	if reply != nil && conv.OptedOut() {
		reply.Finish(now, domain.JobSkipped, ptbr.ClientOptedOut())
	}
	return reply
}

// applyOptOut records the client's keyword on her ledger and the tenant's opt-out set
// (store.ChangeClientOptOut), ordered by the message's time.
func (s *Service) applyOptOut(ctx context.Context, tenantID string, in domain.Inbound, intent domain.OptOutIntent) error {
	next := domain.OptOut{Active: intent == domain.OptOutStop, At: in.At, InboundID: in.ID, Keyword: domain.NormalizeKeyword(in.Text)}
	_, changed, err := s.Store.ChangeClientOptOut(ctx, tenantID, store.OptOutChange{Identity: in.WAID, Next: next})
	if err == nil && changed {
		s.Log.InfoContext(ctx, "client opt-out changed", "tenant_id", tenantID, "opted_out", next.Active)
	}
	return err
}

// stopWord is the word the studio's clients stop its automatic messages with, named in
// the answer to VOLTAR: its first opt-out keyword.
func stopWord(t *domain.Tenant) string {
	if ks := domain.OptOutKeywords(t.OptOutKeywords); len(ks) > 0 {
		return ks[0]
	}
	return ""
}
