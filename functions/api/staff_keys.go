package api

import (
	"net/http"
	"regexp"
	"time"

	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// The booking system's API keys, for the studio's owner: listed without the keys,
// created (the key in that answer only) and revoked (refused by the booking API from
// its next request: every request reads the key's record). Each creation and
// revocation is in the settings history.

// apiKeyIDPattern: a key's id (16 hex digits), or the hash an older key is stored under.
var apiKeyIDPattern = regexp.MustCompile(`^([0-9a-f]{16}|[0-9a-f]{64})$`)

// keyNotice tells the owner the key is shown once.
const keyNotice = "Copie a chave agora e guarde-a no sistema de agendamento: ela não será mostrada de novo."

// NewAPIKeyView shows a key's record (never the key) in the zone loc.
func NewAPIKeyView(k store.APIKey, loc *time.Location) APIKeyView {
	return APIKeyView{ID: k.ID, Label: k.Label, CreatedAt: k.CreatedAt.UTC(), CreatedAtLocal: localTime(k.CreatedAt, loc),
		LastUsedAt: utcOrZero(k.LastUsedAt), LastUsedAtLocal: localTime(k.LastUsedAt, loc),
		Revoked: !k.RevokedAt.IsZero(), RevokedAt: utcOrZero(k.RevokedAt), RevokedAtLocal: localTime(k.RevokedAt, loc)}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// staffAPIKeys lists the studio's keys.
func (s *server) staffAPIKeys(w http.ResponseWriter, r *http.Request, st Staff) error {
	keys, err := s.store.TenantAPIKeys(r.Context(), st.Tenant.ID)
	if err != nil {
		return err
	}
	loc := st.Tenant.Location()
	out := APIKeysResponse{Keys: make([]APIKeyView, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, NewAPIKeyView(k, loc))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// staffCreateAPIKey makes a new key with a label (201).
func (s *server) staffCreateAPIKey(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req CreateAPIKeyRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	key, rec, err := tenants.CreateAPIKeyAudited(r.Context(), s.store, st.Tenant.ID, req.Label, st.Email, s.env.Now())
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "api key created by staff", "tenant_id", st.Tenant.ID, "uid", st.UID, "key_id", rec.ID)
	web.WriteJSON(w, http.StatusCreated, CreateAPIKeyResponse{Key: key, APIKey: NewAPIKeyView(rec, st.Tenant.Location()), Notice: keyNotice})
	return nil
}

// staffRevokeAPIKey revokes one of the studio's keys; another studio's or an unknown
// id is 404; revoking again answers the first revocation.
func (s *server) staffRevokeAPIKey(w http.ResponseWriter, r *http.Request, st Staff) error {
	id := r.PathValue("id")
	if !apiKeyIDPattern.MatchString(id) {
		return web.Errorf(http.StatusNotFound, "not_found", "no api key %q", id)
	}
	k, err := tenants.RevokeAPIKeyAudited(r.Context(), s.store, st.Tenant.ID, id, st.Email, s.env.Now())
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "api key revoked by staff", "tenant_id", st.Tenant.ID, "uid", st.UID, "key_id", k.ID)
	web.WriteJSON(w, http.StatusOK, RevokeAPIKeyResponse{APIKey: NewAPIKeyView(*k, st.Tenant.Location())})
	return nil
}
