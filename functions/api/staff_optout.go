package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// A client's opt-out of the studio's automatic messages (domain/optout.go), as the
// conversation view shows it, and the owner's resumption of a client who opted out:
//   - POST /v1/staff/conversations/{wa_id}/resume (owner): with a reason, audited in the
//     settings history; the client's next automatic messages go out again.

// ConversationOptOut is a client's opt-out state in the conversation view.
type ConversationOptOut struct {
	Active  bool      `json:"active"`
	At      time.Time `json:"at"`
	AtLocal string    `json:"at_local"`
	// Keyword is the client's word (PARAR, VOLTAR, …); By and Reason say who resumed
	// the client from the dashboard, and why.
	Keyword string `json:"keyword,omitempty"`
	By      string `json:"by,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Label   string `json:"label"`
}

// NewConversationOptOut is the view of a ledger's opt-out (nil: the client never opted out).
func NewConversationOptOut(o *domain.OptOut, loc *time.Location) *ConversationOptOut {
	if o == nil {
		return nil
	}
	label := ptbr.OptOutLabel(o, loc)
	if !o.Active {
		label = ptbr.OptOutResumeLabel(o, loc)
	}
	return &ConversationOptOut{Active: o.Active, At: o.At.UTC(), AtLocal: ptbr.DateTime(o.At, loc), Keyword: o.Keyword, By: o.By, Reason: o.Reason, Label: label}
}

// ResumeClientRequest is the body of POST /v1/staff/conversations/{wa_id}/resume.
type ResumeClientRequest struct {
	Reason string `json:"reason"`
}

func (s *server) staffOptOutRoutes() []route {
	return []route{
		{pattern: "POST /v1/staff/conversations/{wa_id}/resume", staff: s.staffResumeClient, roles: []domain.StaffRole{domain.RoleOwner}},
	}
}

// staffResumeClient resumes the automatic messages of a client who opted out.
func (s *server) staffResumeClient(w http.ResponseWriter, r *http.Request, st Staff) error {
	waID := r.PathValue("wa_id")
	if !waIDPattern.MatchString(waID) {
		return web.Errorf(http.StatusNotFound, "not_found", "no conversation %q: a WhatsApp id is the number's 8 to 15 digits", waID)
	}
	var req ResumeClientRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	reason, err := actionReason(req.Reason)
	if err != nil {
		return err
	}
	ctx, tid, loc := r.Context(), st.Tenant.ID, st.Tenant.Location()
	now := s.env.Now().UTC()
	masked := ptbr.MaskPhone("+" + waID)
	out, _, err := s.store.ChangeClientOptOut(ctx, tid, store.OptOutChange{
		Identity:      waID,
		Next:          domain.OptOut{Active: false, At: now, By: st.Email, Reason: reason},
		Audit:         &store.SettingsAudit{At: now, By: st.Email, Field: "client_opt_out", Old: "descadastrado: " + masked, New: "retomado: " + masked + " (" + reason + ")"},
		RequireActive: true,
	})
	if errors.Is(err, store.ErrNotOptedOut) {
		return &domain.ConflictError{Code: "action_refused", Message: "o cliente não pediu para parar as mensagens automáticas"}
	}
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(ctx, "client opt-out resumed by staff", "tenant_id", tid, "uid", st.UID)
	web.WriteJSON(w, http.StatusOK, NewConversationOptOut(out, loc))
	return nil
}

// ledgerCancelWindow is the window a cancellation notice of apt would have now, from the
// client's conversation ledger (one read): the window as Meta counts it, or the strict
// rule when the studio keeps it (booking.CancelWindowFor, as the notice is decided).
func (s *server) ledgerCancelWindow(ctx context.Context, t *domain.Tenant, apt *domain.Appointment) (CancelWindow, error) {
	conv, err := s.store.GetConversation(ctx, t.ID, domain.ClientIdentity(apt.ClientPhone))
	if errors.Is(err, domain.ErrNotFound) {
		conv, err = nil, nil
	}
	if err != nil {
		return CancelWindow{}, err
	}
	return NewCancelWindow(booking.CancelWindowFor(t, apt, conv, s.env.Now()), t.Location()), nil
}
