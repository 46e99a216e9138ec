// Package tokencheck is the daily check of every studio's Meta token: Cloud
// Scheduler calls the reminders function's POST /token-check, which asks Meta's
// debug_token about each stored token (with the app token "<app id>|<app secret>",
// https://developers.facebook.com/docs/graph-api/reference/debug_token) and records
// the verdict on the tenant (domain.WhatsApp.TokenCheck). An invalid token stops the
// studio's sends with a Portuguese reason (domain.BlockTokenInvalid) and raises the
// operator's alert (logging.MsgTokenCheckInvalid); a valid check lifts it.
package tokencheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/store"
)

// MetaTokenInvalid is Graph's error code of an expired or revoked token.
const MetaTokenInvalid = 190

// Verdict judges one debug_token answer (or its error): valid, or invalid with
// Meta's reason; decided false when the answer says nothing about the token (a
// transport failure, Meta down, the app's own credentials refused), so no check is
// recorded and sends go on as they were.
func Verdict(info onboarding.TokenInfo, err error) (valid bool, reason string, decided bool) {
	if err != nil {
		var apiErr *meta.APIError
		if errors.As(err, &apiErr) && apiErr.Code == MetaTokenInvalid {
			// Meta refused the business token itself with 190.
			return false, fmt.Sprintf("código %d: %s", apiErr.Code, domain.ClipText(apiErr.Message, 200)), true
		}
		return false, "", false
	}
	if info.Error != nil && info.Error.Code == MetaTokenInvalid {
		return false, fmt.Sprintf("código %d: %s", info.Error.Code, domain.ClipText(info.Error.Message, 200)), true
	}
	if !info.IsValid {
		if info.Error != nil {
			return false, fmt.Sprintf("código %d: %s", info.Error.Code, domain.ClipText(info.Error.Message, 200)), true
		}
		return false, "is_valid false", true
	}
	return true, "", true
}

// Graph is what the check asks Meta (onboarding.GraphClient).
type Graph interface {
	DebugToken(ctx context.Context, appToken, businessToken string) (onboarding.TokenInfo, error)
}

// Service runs the check.
type Service struct {
	Store   *store.Store
	Graph   Graph
	Secrets interface {
		Secret(ctx context.Context, id string) ([]byte, error)
	}
	AppID, AppSecretID string
	Log                *slog.Logger
	Now                func() time.Time
}

// Result counts one run.
type Result struct {
	Checked   int `json:"checked"`
	Valid     int `json:"valid"`
	Invalid   int `json:"invalid"`
	Undecided int `json:"undecided"`
}

// Run checks every tenant with a stored token.
func (s *Service) Run(ctx context.Context) (Result, error) {
	var res Result
	if s.AppID == "" {
		return res, errors.New("token check: LEMBRA_META_APP_ID is not configured")
	}
	secret, err := s.Secrets.Secret(ctx, s.AppSecretID)
	if err != nil {
		return res, fmt.Errorf("token check: app secret: %w", err)
	}
	appToken := s.AppID + "|" + string(secret)
	ids, err := s.Store.TenantIDs(ctx)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, id := range ids {
		t, err := s.Store.GetTenant(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t.WhatsApp.AccessTokenSecret == "" {
			continue
		}
		res.Checked++
		tok, err := s.Secrets.Secret(ctx, t.WhatsApp.AccessTokenSecret)
		if err != nil {
			res.Undecided++
			s.Log.WarnContext(ctx, "token check: token unreadable", "tenant_id", id, "error", err.Error())
			continue
		}
		valid, reason, decided := Verdict(s.Graph.DebugToken(ctx, appToken, string(tok)))
		if !decided {
			res.Undecided++
			s.Log.WarnContext(ctx, "token check: Meta gave no verdict", "tenant_id", id)
			continue
		}
		if valid {
			res.Valid++
		} else {
			res.Invalid++
		}
		check := domain.TokenCheck{CheckedAt: s.Now().UTC(), Valid: valid, Reason: reason}
		became := false
		if err := s.Store.UpdateTenant(ctx, id, func(t *domain.Tenant) error {
			became = t.WhatsApp.RecordTokenCheck(check)
			return nil
		}); err != nil {
			errs = append(errs, err)
			continue
		}
		if became {
			// The operator's signal (terraform/monitoring.tf): this studio sends nothing
			// until its token is valid again or it reconnects.
			s.Log.ErrorContext(ctx, logging.MsgTokenCheckInvalid, "tenant_id", id, "reason", reason)
		}
	}
	s.Log.InfoContext(ctx, "token check", "checked", res.Checked, "valid", res.Valid, "invalid", res.Invalid, "undecided", res.Undecided)
	return res, errors.Join(errs...)
}
