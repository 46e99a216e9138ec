package api

import (
	"net/http"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/privacy/erasure"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// staffPrivacyRoutes are the owner's privacy requests for one client.
func (s *server) staffPrivacyRoutes() []route {
	return []route{
		{pattern: "POST /v1/staff/clients/{wa_id}/delete", staff: s.staffDeleteClient, roles: []domain.StaffRole{domain.RoleOwner}},
	}
}

// DeleteClientRequest is the body of POST /v1/staff/clients/{wa_id}/delete.
type DeleteClientRequest struct {
	Reason string `json:"reason"`
}

// DeleteClientResponse says what the erasure of one client did in the studio.
type DeleteClientResponse struct {
	WAID string `json:"wa_id"`
	// Found: the number was a client of the studio (a conversation, an appointment or a
	// job of hers).
	Found        bool `json:"found"`
	Jobs         int  `json:"jobs"`         // jobs left without her name, phone and text
	Appointments int  `json:"appointments"` // appointments left without her name and phone
	Messages     int  `json:"messages"`     // conversation messages deleted
	Skipped      int  `json:"skipped"`      // unsent jobs skipped, so nothing goes out any more
}

// staffDeleteClient erases one client from the signed-in owner's studio, as the Meta
// data deletion callback does across studios (store.EraseClient): her unsent jobs are
// discarded with the owner's reason (the discard rule), her name, phone and texts
// removed from appointments and jobs (ids, statuses and counts kept), her conversation
// deleted. Running it again finds nothing more to do.
func (s *server) staffDeleteClient(w http.ResponseWriter, r *http.Request, st Staff) error {
	waID := r.PathValue("wa_id")
	if !waIDPattern.MatchString(waID) {
		return web.Errorf(http.StatusNotFound, "not_found", "no client %q: a WhatsApp id is the number's 8 to 15 digits", waID)
	}
	var req DeleteClientRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	reason, err := actionReason(req.Reason)
	if err != nil {
		return err
	}
	now := s.env.Now().UTC()
	p, err := s.store.EraseClient(r.Context(), st.Tenant.ID, store.EraseSubject{
		ID: waID, ByPhone: true, Skip: erasure.Skip(reason, st.Email, s.env.Config.Retry(), now),
	}, now)
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "client erased by the owner", "tenant_id", st.Tenant.ID, "uid", st.UID,
		"found", p.Found, "jobs", p.Jobs, "appointments", p.Appointments, "messages", p.Messages, "skipped", p.Skipped)
	web.WriteJSON(w, http.StatusOK, DeleteClientResponse{WAID: waID, Found: p.Found, Jobs: p.Jobs,
		Appointments: p.Appointments, Messages: p.Messages, Skipped: p.Skipped})
	return nil
}
