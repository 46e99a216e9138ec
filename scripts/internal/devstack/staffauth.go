package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The Auth emulator's REST API (Identity Toolkit v1, as the Firebase JS SDK calls it,
// https://firebase.google.com/docs/reference/rest/auth, and the emulator's own
// https://firebase.google.com/docs/emulator-suite/connect_auth#rest_api): any API key
// is accepted.

// authCall posts body to the Auth emulator at path and decodes the answer into out.
// authEmulatorClient opens a connection per call: the emulator (Node) closes idle
// connections after 5 s, and a pooled one picked at that moment fails with
// "connection reset" on a POST, which Go does not retry.
var authEmulatorClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

func (s *Stack) authCall(ctx context.Context, method, path string, body, out any) error {
	if s.AuthHost == "" {
		return fmt.Errorf("devstack: the stack has no Auth emulator")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.AuthHost+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer owner") // the emulator's admin credential
	resp, err := authEmulatorClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("auth emulator %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// SignUp creates an e-mail and password user in the Auth emulator and returns its uid.
func (s *Stack) SignUp(ctx context.Context, email, password string) (string, error) {
	var out struct {
		LocalID string `json:"localId"`
	}
	err := s.authCall(ctx, http.MethodPost, "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=any",
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &out)
	return out.LocalID, err
}

// SignIn signs a user in as the dashboard does and returns the ID token.
func (s *Stack) SignIn(ctx context.Context, email, password string) (string, error) {
	var out struct {
		IDToken string `json:"idToken"`
	}
	err := s.authCall(ctx, http.MethodPost, "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any",
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &out)
	return out.IDToken, err
}

// DisableUser disables (or enables again) a user in the emulator.
func (s *Stack) DisableUser(ctx context.Context, uid string, disabled bool) error {
	return s.authCall(ctx, http.MethodPost, "/identitytoolkit.googleapis.com/v1/projects/"+s.Config.Project+"/accounts:update",
		map[string]any{"localId": uid, "disableUser": disabled}, nil)
}

// ClearAuth deletes every user of the stack's project in the emulator.
func (s *Stack) ClearAuth(ctx context.Context) error {
	return s.authCall(ctx, http.MethodDelete, "/emulator/v1/projects/"+s.Config.Project+"/accounts", nil, nil)
}

// AddStaff creates a user in the emulator and maps it to tenantID with role.
func (s *Stack) AddStaff(ctx context.Context, tenantID string, role domain.StaffRole, email, password string) (string, error) {
	uid, err := s.SignUp(ctx, email, password)
	if err != nil {
		return "", err
	}
	st, err := s.Env.Store(ctx)
	if err != nil {
		return "", err
	}
	m := &domain.StaffMember{UID: uid, TenantID: tenantID, Role: role, Email: email, CreatedAt: time.Now().UTC()}
	return uid, st.PutStaffMember(ctx, m)
}
