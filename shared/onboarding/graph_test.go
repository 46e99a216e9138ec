package onboarding

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/meta"
)

// TestGraphClientReadsMetaSamples: the client reads Meta's documented answers
// (testdata/meta/graph, sources in testdata/meta/SOURCES.md): debug_token's
// whatsapp_business_management target ids, newest WABA first; smb_app_data's
// request_id; and an error envelope as a *meta.APIError with its code.
func TestGraphClientReadsMetaSamples(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "meta", "graph", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var lastAuth, lastPath string
	answers := map[string]struct {
		status int
		body   []byte
	}{
		"/v23.0/debug_token":                     {200, read("debug_token_response.json")},
		"/v23.0/106540352242922/smb_app_data":    {200, read("smb_app_data_sync_response.json")},
		"/v23.0/524126980791429/subscribed_apps": {400, read("send_error_130429.json")},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastAuth, lastPath = r.Header.Get("Authorization"), r.URL.Path
		a, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	defer srv.Close()
	g := &GraphClient{BaseURL: srv.URL, APIVersion: "v23.0", HTTP: srv.Client()}
	ctx := context.Background()

	wabas, err := g.GrantedWABAs(ctx, "app|secret", "business-token")
	if err != nil || !slices.Equal(wabas, []string{"102289599326934", "101569239400667"}) {
		t.Errorf("GrantedWABAs = %v, %v", wabas, err)
	}
	if lastAuth != "Bearer app|secret" {
		t.Errorf("debug_token sent with %q, want the app token", lastAuth)
	}
	id, err := g.SyncSMBAppData(ctx, "business-token", "106540352242922", "history")
	if err != nil || id != "<REQUEST_ID>" || lastAuth != "Bearer business-token" {
		t.Errorf("SyncSMBAppData = %q, %v (auth %q)", id, err, lastAuth)
	}
	err = g.SubscribeApp(ctx, "business-token", "524126980791429")
	var apiErr *meta.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 130429 || apiErr.HTTPStatus != 400 {
		t.Errorf("SubscribeApp error = %v", err)
	}
	if lastPath != "/v23.0/524126980791429/subscribed_apps" {
		t.Errorf("path %s", lastPath)
	}
	// An unreachable Graph: ErrTransport, and the error never repeats the app secret
	// the exchange's URL carries.
	down := &GraphClient{BaseURL: "http://127.0.0.1:1", APIVersion: "v23.0", HTTP: srv.Client()}
	if _, err := down.ExchangeCode(ctx, "a", "s3cret", "c"); !errors.Is(err, meta.ErrTransport) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unreachable exchange: %v", err)
	}
}

// TestNothingToUnsubscribe: a token Meta refused (190) or that lost its access to the
// WABA (10, 200–299, 100/33) leaves nothing to unsubscribe from our side; a request
// that never reached Meta, a 5xx, a rate limit or another 100 is retried.
func TestNothingToUnsubscribe(t *testing.T) {
	api := func(status, code, sub int) error {
		return &meta.APIError{HTTPStatus: status, Code: code, Subcode: sub}
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"token invalid (190)", api(401, 190, 458), true},
		{"token expired (190/463)", api(400, 190, 463), true},
		{"permission denied (10)", api(403, 10, 0), true},
		{"permission removed (200)", api(403, 200, 0), true},
		{"permission range (299)", api(403, 299, 0), true},
		{"WABA not accessible (100/33)", api(400, 100, 33), true},
		{"wrapped 190", fmt.Errorf("unsubscribe: %w", api(401, 190, 0)), true},
		{"another invalid parameter (100)", api(400, 100, 0), false},
		{"a 5xx, even with 190", api(500, 190, 0), false},
		{"service unavailable (2)", api(503, 2, 0), false},
		{"rate limit (4)", api(400, 4, 0), false},
		{"policy block (368)", api(403, 368, 0), false},
		{"no answer", fmt.Errorf("DELETE x: %w", meta.ErrTransport), false},
		{"a plain error", errors.New("boom"), false},
		{"no error", nil, false},
	}
	for _, c := range cases {
		if got := NothingToUnsubscribe(c.err); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
