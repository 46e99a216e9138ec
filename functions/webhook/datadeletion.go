package webhook

import (
	"context"
	"errors"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/privacy"
	"github.com/lembra-app/lembra/shared/privacy/erasure"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// Meta's data deletion callback (App Dashboard › App settings › Basic › "Data Deletion
// Request URL": <webhook URL>/data-deletion) and the public status page it links to.
// See shared/privacy for what the callback's user_id names in Lembra.
const (
	dataDeletionPath       = "/data-deletion"
	dataDeletionStatusPath = "/data-deletion/status"
	// deletionTimeout bounds one erasure run; a run cut short answers 503 and Meta's
	// next delivery of the same signed_request resumes it (privacy.CodeFor).
	deletionTimeout = 45 * time.Second
)

// dataDeletion verifies the signed_request, records the request, erases the user from
// every tenant and answers {url, confirmation_code} as Meta's sample does. A request
// that fails the check answers 400 and changes nothing.
func (h *handler) dataDeletion(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.log.WarnContext(ctx, "data deletion refused", "reason", "unreadable form")
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	secret, ok := h.secret(ctx, w, h.appSecretID, "meta app secret")
	if !ok {
		return
	}
	signed := r.PostForm.Get("signed_request")
	req, err := privacy.VerifySignedRequest(signed, secret)
	if err != nil {
		h.log.WarnContext(ctx, "data deletion refused", "reason", err.Error())
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code := privacy.CodeFor(signed)
	now := time.Now().UTC()
	d := &privacy.Deletion{Code: code, Source: privacy.SourceMetaCallback, SubjectHash: privacy.HashSubject(req.UserID),
		Status: privacy.StatusInProgress, RequestedAt: now, UpdatedAt: now, IssuedAt: req.IssuedTime()}
	if err := h.store.CreateDeletion(ctx, d); err != nil && status.Code(errors.Unwrap(err)) != codes.AlreadyExists && status.Code(err) != codes.AlreadyExists {
		h.log.ErrorContext(ctx, "data deletion not recorded; Meta may retry", "error", err.Error())
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	runCtx, cancel := context.WithTimeout(ctx, deletionTimeout)
	defer cancel()
	tenants, err := h.store.TenantIDs(runCtx)
	if err == nil {
		sub := store.EraseSubject{ID: req.UserID, Skip: erasure.Skip(erasure.ReasonMeta, "meta_data_deletion", h.retry, now)}
		err = erasure.Run(runCtx, h.store, code, sub, tenants, time.Now)
	}
	if err != nil {
		h.log.ErrorContext(ctx, "data deletion incomplete; the same request resumes it", "confirmation_code", code, "error", err.Error())
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.log.InfoContext(ctx, "data deletion done", "confirmation_code", code, "tenants", len(tenants))
	base := privacy.BaseURL(r.Header.Get("X-Forwarded-Proto"), r.TLS != nil, r.Host, pathOf(r), dataDeletionPath)
	web.WriteJSON(w, http.StatusOK, map[string]string{"url": privacy.StatusURL(base, code), "confirmation_code": code})
}

// deletionStatus is the public status page of a confirmation code.
func (h *handler) deletionStatus(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	var d *privacy.Deletion
	if privacy.ValidCode(code) {
		got, err := h.store.GetDeletion(ctx, code)
		switch {
		case err == nil:
			d = got
		case !errors.Is(err, domain.ErrNotFound):
			h.log.ErrorContext(ctx, "data deletion status unreadable", "error", err.Error())
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if d == nil {
		w.WriteHeader(http.StatusNotFound)
	}
	_, _ = w.Write([]byte(privacy.RenderPage(privacy.PageOf(d))))
}

// pathOf is the path the request was made at, before any prefix was stripped.
func pathOf(r *http.Request) string {
	if r.RequestURI != "" {
		p := r.RequestURI
		for i := 0; i < len(p); i++ {
			if p[i] == '?' {
				return p[:i]
			}
		}
		return p
	}
	return r.URL.Path
}
