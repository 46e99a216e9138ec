package onboarding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/lembra-app/lembra/shared/meta"
)

// PhoneNumber is one number of GET /<WABA>/phone_numbers.
type PhoneNumber struct {
	ID                 string `json:"id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	VerifiedName       string `json:"verified_name"`
	IsOnBizApp         bool   `json:"is_on_biz_app"`
	// MessagingLimit is whatsapp_business_manager_messaging_limit, the business
	// portfolio's messaging limit ("TIER_250", …; domain.ParseMessagingLimit), which
	// Meta answers only when asked for by name
	// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits,
	// "Via API"; the older messaging_limit_tier is deprecated).
	MessagingLimit string `json:"whatsapp_business_manager_messaging_limit"`
}

// phoneNumberFields are the fields PhoneNumbers asks for.
const phoneNumberFields = "id,display_phone_number,verified_name,is_on_biz_app,whatsapp_business_manager_messaging_limit"

// GraphClient makes the onboarding's Graph calls (sources in plan.go and the
// stand-in's onboarding.go): the business token travels only in the Authorization
// header (never a URL, which a log may keep); the code exchange and debug_token take
// the app's credentials, the code exchange as query parameters as Meta documents.
type GraphClient struct {
	BaseURL, APIVersion string
	HTTP                *http.Client
}

// NewGraphClient reuses the send client's base URL, version and HTTP client.
func NewGraphClient(c *meta.Client) *GraphClient {
	return &GraphClient{BaseURL: c.BaseURL, APIVersion: c.APIVersion, HTTP: c.HTTP}
}

func (g *GraphClient) do(ctx context.Context, method, path string, q url.Values, token string, body, out any) error {
	u := g.BaseURL + "/" + g.APIVersion + "/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		// The URL of the code exchange holds the app secret: never repeat it.
		return fmt.Errorf("%s %s: %w", method, strings.SplitN(path, "?", 2)[0], meta.ErrTransport)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		apiErr := &meta.APIError{HTTPStatus: resp.StatusCode}
		var env struct {
			Error *meta.APIError `json:"error"`
		}
		if json.Unmarshal(raw, &env) == nil && env.Error != nil {
			env.Error.HTTPStatus = resp.StatusCode
			apiErr = env.Error
		}
		return apiErr
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: answer not understood: %w", method, path, err)
		}
	}
	return nil
}

// ExchangeCode trades Embedded Signup's code for the business token.
func (g *GraphClient) ExchangeCode(ctx context.Context, appID, appSecret, code string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := g.do(ctx, http.MethodGet, "oauth/access_token", url.Values{"client_id": {appID}, "client_secret": {appSecret}, "code": {code}}, "", nil, &out)
	if err == nil && out.AccessToken == "" {
		err = fmt.Errorf("oauth/access_token: no access_token in the answer")
	}
	return out.AccessToken, err
}

// GrantedWABAs reads the WABA ids the business token was granted
// (whatsapp_business_management's target_ids, newest first), asked with the app token.
func (g *GraphClient) GrantedWABAs(ctx context.Context, appToken, businessToken string) ([]string, error) {
	var out struct {
		Data struct {
			IsValid        bool `json:"is_valid"`
			GranularScopes []struct {
				Scope     string   `json:"scope"`
				TargetIDs []string `json:"target_ids"`
			} `json:"granular_scopes"`
		} `json:"data"`
	}
	if err := g.do(ctx, http.MethodGet, "debug_token", url.Values{"input_token": {businessToken}}, appToken, nil, &out); err != nil {
		return nil, err
	}
	if !out.Data.IsValid {
		return nil, fmt.Errorf("debug_token: the business token is not valid")
	}
	for _, s := range out.Data.GranularScopes {
		if s.Scope == "whatsapp_business_management" {
			return s.TargetIDs, nil
		}
	}
	return nil, nil
}

// PhoneNumbers lists a WABA's numbers, with the portfolio's messaging limit.
func (g *GraphClient) PhoneNumbers(ctx context.Context, token, wabaID string) ([]PhoneNumber, error) {
	var out struct {
		Data []PhoneNumber `json:"data"`
	}
	err := g.do(ctx, http.MethodGet, url.PathEscape(wabaID)+"/phone_numbers", url.Values{"fields": {phoneNumberFields}}, token, nil, &out)
	return out.Data, err
}

// SubscribeApp subscribes the app to the WABA's webhooks.
func (g *GraphClient) SubscribeApp(ctx context.Context, token, wabaID string) error {
	return g.do(ctx, http.MethodPost, url.PathEscape(wabaID)+"/subscribed_apps", nil, token, nil, nil)
}

// Register registers a Cloud API number with its two-step verification PIN.
func (g *GraphClient) Register(ctx context.Context, token, phoneNumberID, pin string) error {
	return g.do(ctx, http.MethodPost, url.PathEscape(phoneNumberID)+"/register", nil, token,
		map[string]string{"messaging_product": "whatsapp", "pin": pin}, nil)
}

// SyncSMBAppData asks for a coexistence number's contacts (smb_app_state_sync) or
// history; Meta answers with a request id and sends the data as webhooks.
func (g *GraphClient) SyncSMBAppData(ctx context.Context, token, phoneNumberID, syncType string) (string, error) {
	var out struct {
		RequestID string `json:"request_id"`
	}
	err := g.do(ctx, http.MethodPost, url.PathEscape(phoneNumberID)+"/smb_app_data", nil, token,
		map[string]string{"messaging_product": "whatsapp", "sync_type": syncType}, &out)
	return out.RequestID, err
}

// MessageTemplates lists a WABA's templates (first page).
func (g *GraphClient) MessageTemplates(ctx context.Context, token, wabaID string) ([]GraphTemplate, error) {
	var out struct {
		Data []GraphTemplate `json:"data"`
	}
	err := g.do(ctx, http.MethodGet, url.PathEscape(wabaID)+"/message_templates", url.Values{"limit": {"200"}}, token, nil, &out)
	return out.Data, err
}

// TokenInfo is debug_token's data about a token
// (https://developers.facebook.com/docs/graph-api/reference/debug_token): is_valid,
// and for an invalid one the error Meta gives (code 190 for an expired or revoked
// token, https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging).
type TokenInfo struct {
	IsValid   bool        `json:"is_valid"`
	ExpiresAt int64       `json:"expires_at"`
	Error     *TokenError `json:"error"`
}

// TokenError is debug_token's error about an invalid token.
type TokenError struct {
	Code    int    `json:"code"`
	Subcode int    `json:"subcode"`
	Message string `json:"message"`
}

// DebugToken asks Meta about the business token, with the app token
// ("<app id>|<app secret>"), as the daily token check does.
func (g *GraphClient) DebugToken(ctx context.Context, appToken, businessToken string) (TokenInfo, error) {
	var out struct {
		Data TokenInfo `json:"data"`
	}
	err := g.do(ctx, http.MethodGet, "debug_token", url.Values{"input_token": {businessToken}}, appToken, nil, &out)
	return out.Data, err
}

// UnsubscribeApp unsubscribes the app from the WABA's webhooks (DELETE
// /<WABA>/subscribed_apps → {"success":true},
// https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps/).
func (g *GraphClient) UnsubscribeApp(ctx context.Context, token, wabaID string) error {
	return g.do(ctx, http.MethodDelete, url.PathEscape(wabaID)+"/subscribed_apps", nil, token, nil, nil)
}

// NothingToUnsubscribe reports whether a failed DELETE /<WABA>/subscribed_apps means
// our side has nothing left to unsubscribe: Meta refused the token or its access to
// the WABA, so the app can no longer be subscribed through it and no retry with it
// can succeed (after the Business App's PARTNER_REMOVED, or a revoked token). Meta's
// Graph error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling,
// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
// 190 the access token expired or was invalidated; 10 and 200–299 a permission not
// granted or removed; 100 with subcode 33 "Object with ID … does not exist, cannot be
// loaded due to missing permissions". A request that never reached Meta, a 5xx or any
// other error is worth retrying: false.
func NothingToUnsubscribe(err error) bool {
	var apiErr *meta.APIError
	if err == nil || !errors.As(err, &apiErr) || apiErr.HTTPStatus >= 500 {
		return false
	}
	switch c := apiErr.Code; {
	case c == 190, c == 10, c >= 200 && c <= 299:
		return true
	case c == 100:
		return apiErr.Subcode == 33
	}
	return false
}
