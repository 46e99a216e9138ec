// Package tokencheck is the daily check of every studio's Meta token: Cloud
// Scheduler calls the reminders function's POST /token-check, which asks Meta's
// debug_token about each stored token (with the app token "<app id>|<app secret>",
// https://developers.facebook.com/docs/graph-api/reference/debug_token) and records
// the verdict on the tenant (domain.WhatsApp.TokenCheck). An invalid token stops the
// studio's sends with a Portuguese reason (domain.BlockTokenInvalid) and raises the
// operator's alert (logging.MsgTokenCheckInvalid); a valid check lifts it. Meta
// refusing the call itself (the app token) judges no studio: the run stops and
// raises its own alert (logging.MsgMetaAppTokenRefused).
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

// Verdict judges one debug_token answer about a business token: valid, or invalid
// with Meta's reason; decided false when the answer says nothing about the token.
//
// debug_token answers about the inspected token (input_token) inside data, with HTTP
// 200: a bad business token is data.is_valid false, usually with data.error (code 190
// and Meta's message). The caller's own token, the app token "<app id>|<app secret>"
// the reference requires ("An app access token … for the app associated with the
// input_token being inspected is required",
// https://developers.facebook.com/docs/graph-api/reference/debug_token), is what a
// top-level Graph error ({"error":{…}}, HTTP 4xx, code 190 or another) is about. So
// any error (a top-level Graph error, a transport failure, Meta down) decides
// nothing for the studio, and sends go on as they were; AppTokenRefused tells the
// run to stop.
func Verdict(info onboarding.TokenInfo, err error) (valid bool, reason string, decided bool) {
	if err != nil {
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

// AppTokenRefused reports whether debug_token's error is a top-level Graph error:
// Meta refused the request itself, not the studio's token (see Verdict). That is
// the app's own credentials (a wrong or rotated app secret in Secret Manager, the
// app disabled) or the app's rate limit, the same for every studio: the run stops
// at the first one instead of asking again for each.
func AppTokenRefused(err error) (*meta.APIError, bool) {
	var apiErr *meta.APIError
	if errors.As(err, &apiErr) {
		return apiErr, true
	}
	return nil, false
}

// Superseded reports whether the tenant's connection changed between before (the
// tenant the check read, before reading its token and asking Meta) and now (the
// tenant when the verdict is to be recorded): another token secret, an onboarding
// attempt indexing or activating the number (ConnectingSince set or cleared, the
// connection's event time moved: a reconnection stores its new token before its
// index step), or a connection event applied meanwhile. A verdict on the token read
// before then may be about a token that is no longer the tenant's, so it is not
// recorded; the next daily check judges the current one.
func Superseded(before, now domain.WhatsApp) bool {
	return before.AccessTokenSecret != now.AccessTokenSecret ||
		!before.ConnectingSince.Equal(now.ConnectingSince) ||
		!before.EventTimes[domain.FactConnection].Equal(now.EventTimes[domain.FactConnection])
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
	// Superseded counts verdicts not recorded because the tenant's connection changed
	// while Meta was asked (Superseded).
	Superseded int `json:"superseded"`
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
		info, err := s.Graph.DebugToken(ctx, appToken, string(tok))
		if apiErr, refused := AppTokenRefused(err); refused {
			// Meta refused the app token: no studio is judged, the run stops here
			// (the scheduler's retries, or the operator's fix, run it again).
			res.Undecided++
			s.Log.ErrorContext(ctx, logging.MsgMetaAppTokenRefused, "error_code", apiErr.Code,
				"http_status", apiErr.HTTPStatus, "error", domain.ClipText(apiErr.Message, 200))
			s.logResult(ctx, res)
			return res, errors.Join(append(errs, fmt.Errorf("token check stopped: Meta refused the app token: %w", err))...)
		}
		valid, reason, decided := Verdict(info, err)
		if !decided {
			res.Undecided++
			s.Log.WarnContext(ctx, "token check: Meta gave no verdict", "tenant_id", id)
			continue
		}
		check := domain.TokenCheck{CheckedAt: s.Now().UTC(), Valid: valid, Reason: reason}
		became, superseded := false, false
		if err := s.Store.UpdateTenant(ctx, id, func(now *domain.Tenant) error {
			if Superseded(t.WhatsApp, now.WhatsApp) {
				superseded = true
				return store.ErrNoChange
			}
			became = now.WhatsApp.RecordTokenCheck(check)
			return nil
		}); err != nil {
			errs = append(errs, err)
			continue
		}
		switch {
		case superseded:
			res.Superseded++
			s.Log.InfoContext(ctx, "token check: connection changed meanwhile, verdict not recorded", "tenant_id", id)
			continue
		case valid:
			res.Valid++
		default:
			res.Invalid++
		}
		if became {
			// The operator's signal (terraform/monitoring.tf): this studio sends nothing
			// until its token is valid again or it reconnects.
			s.Log.ErrorContext(ctx, logging.MsgTokenCheckInvalid, "tenant_id", id, "reason", reason)
		}
	}
	s.logResult(ctx, res)
	return res, errors.Join(errs...)
}

func (s *Service) logResult(ctx context.Context, res Result) {
	s.Log.InfoContext(ctx, "token check", "checked", res.Checked, "valid", res.Valid, "invalid", res.Invalid,
		"undecided", res.Undecided, "superseded", res.Superseded)
}
