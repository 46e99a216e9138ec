package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// TestMalformedKeysAreRefusedBeforeAnyFirestoreCall serves the API over a Firestore
// client whose every call is counted and fails. Keys not in the documented format get
// 401 with no call made; a key in the format makes the call (and so gets the store's
// failure, 500), which shows the counter sees what the middleware does.
func TestMalformedKeysAreRefusedBeforeAnyFirestoreCall(t *testing.T) {
	var calls atomic.Int64
	refuse := func(method string) error {
		calls.Add(1)
		return status.Errorf(codes.PermissionDenied, "test: Firestore must not be called (%s)", method)
	}
	conn, err := grpc.NewClient("127.0.0.1:1",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(func(_ context.Context, method string, _, _ any, _ *grpc.ClientConn, _ grpc.UnaryInvoker, _ ...grpc.CallOption) error {
			return refuse(method)
		}),
		grpc.WithChainStreamInterceptor(func(_ context.Context, _ *grpc.StreamDesc, _ *grpc.ClientConn, method string, _ grpc.Streamer, _ ...grpc.CallOption) (grpc.ClientStream, error) {
			return nil, refuse(method)
		}))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := firestore.NewClient(context.Background(), "p-apikey-test", option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	env := app.New(config.Config{Project: "p-apikey-test"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := &server{env: env, store: store.New(fs)}
	reached := false
	h := s.tenantOnly(func(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error {
		reached = true
		return nil
	})

	valid := "lembra_0123456789abcdef_" + strings.Repeat("k", 52)
	tests := []struct {
		name, header, value string
		wantStatus          int
		wantCalls           bool
	}{
		{"no key", "", "", 401, false},
		{"the old demo key", "Authorization", "Bearer lembra_demo_key_studio_jana", 401, false},
		{"old random format", "X-Api-Key", "lembra_" + strings.Repeat("Ab-_", 10) + "xyz", 401, false},
		{"uppercase secret", "X-Api-Key", strings.ToUpper(valid), 401, false},
		{"one character short", "X-Api-Key", valid[:len(valid)-1], 401, false},
		{"huge key", "X-Api-Key", strings.Repeat("a", 8000), 401, false},
		{"path-like id", "Authorization", "Bearer lembra_../../tenants/x_" + strings.Repeat("k", 53), 401, false},
		{"basic auth", "Authorization", "Basic " + valid, 401, false},
		{"in the format: looked up", "Authorization", "Bearer " + valid, 500, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			req := httptest.NewRequest(http.MethodPost, "/v1/appointments", strings.NewReader(`{}`))
			if tc.header != "" {
				req.Header.Set(tc.header, tc.value)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if got := calls.Load() > 0; got != tc.wantCalls {
				t.Errorf("Firestore called %d times, want calls: %v", calls.Load(), tc.wantCalls)
			}
			if tc.wantStatus == 401 {
				var body struct {
					Error struct{ Code string } `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "unauthenticated" {
					t.Errorf("body %s, want code unauthenticated", rec.Body)
				}
			}
			if reached {
				t.Fatal("the handler ran without a valid key")
			}
		})
	}
}
