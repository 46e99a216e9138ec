package devstack_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestStaffSignIn: staff sign in through the Firebase Auth emulator's REST API (as the
// dashboard's JS SDK does) and call GET /api/v1/staff/me with the real ID token; every
// way of not being a signed-in member of a studio is a 401 with a JSON error; another
// studio's owner sees only their own studio. The emulator issues unsigned tokens, which
// the Admin SDK accepts only because the stack sets FIREBASE_AUTH_EMULATOR_HOST (the
// signature check itself is the SDK's, outside the emulator).
func TestStaffSignIn(t *testing.T) {
	// A token's audience is the emulator's project: the stack runs on it.
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	if err := s.ClearAuth(ctx); err != nil {
		t.Fatal(err)
	}
	jana, apiKey := demo(t, s, nil)
	other, _ := demoStudio(t, s, "studio-bela", "Studio Bela", "102290129340399", "106540352242923")
	const password = "senha-de-teste-123"
	add := func(tenantID string, role domain.StaffRole, email string) string {
		t.Helper()
		uid, err := s.AddStaff(ctx, tenantID, role, email, password)
		if err != nil {
			t.Fatal(err)
		}
		return uid
	}
	signIn := func(email string) string {
		t.Helper()
		tok, err := s.SignIn(ctx, email, password)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	janaUID := add(jana.ID, domain.RoleOwner, "jana@example.com")
	add(jana.ID, domain.RoleStaff, "bia@example.com")
	add(other.ID, domain.RoleOwner, "dona@example.com")
	if _, err := s.SignUp(ctx, "sem-estudio@example.com", password); err != nil {
		t.Fatal(err)
	}
	disabledUID := add(jana.ID, domain.RoleStaff, "saiu@example.com")
	disabledToken := signIn("saiu@example.com")
	if err := s.DisableUser(ctx, disabledUID, true); err != nil {
		t.Fatal(err)
	}

	me := func(t *testing.T, token string, wantStatus int, wantMention string) map[string]any {
		t.Helper()
		r := call(t, s, token, "GET", "/v1/staff/me", nil)
		if r.Status != wantStatus {
			t.Fatalf("status %d, want %d: %s", r.Status, wantStatus, r.Raw)
		}
		if wantStatus != 200 {
			e, _ := r.Body["error"].(map[string]any)
			if e["code"] != "unauthenticated" || !strings.Contains(e["message"].(string), wantMention) {
				t.Fatalf("error %s, want unauthenticated mentioning %q", r.Raw, wantMention)
			}
		}
		return r.Body
	}

	janaToken := signIn("jana@example.com")
	t.Run("owner", func(t *testing.T) {
		body := me(t, janaToken, 200, "")
		ten, _ := body["tenant"].(map[string]any)
		if body["uid"] != janaUID || body["email"] != "jana@example.com" || body["role"] != "owner" ||
			ten["id"] != jana.ID || ten["name"] != jana.Name || ten["time_zone"] != "America/Sao_Paulo" {
			t.Errorf("me: %v", body)
		}
	})
	t.Run("staff", func(t *testing.T) {
		if body := me(t, signIn("bia@example.com"), 200, ""); body["role"] != "staff" {
			t.Errorf("me: %v", body)
		}
	})
	t.Run("another studio's owner sees only their own", func(t *testing.T) {
		body := me(t, signIn("dona@example.com"), 200, "")
		if ten, _ := body["tenant"].(map[string]any); ten["id"] != other.ID || ten["name"] != "Studio Bela" {
			t.Errorf("me: %v", body)
		}
	})
	t.Run("missing token", func(t *testing.T) { me(t, "", 401, "sign in") })
	t.Run("garbage token", func(t *testing.T) { me(t, "garbage", 401, "not a Firebase ID token") })
	t.Run("JWT-shaped garbage", func(t *testing.T) { me(t, "abc.def.ghi", 401, "not valid") })
	t.Run("API key", func(t *testing.T) { me(t, apiKey, 401, "not a tenant API key") })
	t.Run("user in no studio", func(t *testing.T) { me(t, signIn("sem-estudio@example.com"), 401, "not a member") })
	t.Run("disabled user", func(t *testing.T) { me(t, disabledToken, 401, "disabled") })
	t.Run("token for another project", func(t *testing.T) {
		me(t, withClaims(t, janaToken, map[string]any{"aud": "another-project", "iss": "https://securetoken.google.com/another-project"}), 401, "not valid")
	})
	t.Run("expired token", func(t *testing.T) {
		me(t, withClaims(t, janaToken, map[string]any{"iat": 1700000000, "exp": 1700003600}), 401, "expired")
	})
	t.Run("token for a user that does not exist", func(t *testing.T) {
		me(t, withClaims(t, janaToken, map[string]any{"sub": "nobody", "user_id": "nobody"}), 401, "")
	})
	t.Run("booking API refuses an ID token", func(t *testing.T) {
		r := call(t, s, janaToken, "GET", "/v1/appointments/apt_000000000000000000000000", nil)
		if r.Status != 401 || !strings.Contains(r.Raw, "not a staff sign-in token") {
			t.Errorf("%d %s", r.Status, r.Raw)
		}
	})
}

// withClaims returns token with claims changed in its payload (the emulator's tokens
// carry no signature, so this is what a forger could send).
func withClaims(t *testing.T, token string, claims map[string]any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	for k, v := range claims {
		payload[k] = v
	}
	b, _ := json.Marshal(payload)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}
