package emulators

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestStartAuth: the Auth emulator starts, creates a user through its REST API and
// stops with its children.
func TestStartAuth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := StartAuth(ctx, "", os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+e.Host+"/identitytoolkit.googleapis.com/v1/accounts:signUp?key=any", "application/json",
		strings.NewReader(`{"email":"jana@example.com","password":"segredo123","returnSecureToken":true}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"idToken"`) {
		t.Fatalf("signUp: %d %s", resp.StatusCode, body)
	}
	e.Stop()
	if _, err := http.Get("http://" + e.Host + "/"); err == nil {
		t.Error("the emulator still answers after Stop")
	}
}
