package meta

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "meta", "graph", name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

func TestSendTemplateRequestShape(t *testing.T) {
	var got map[string]any
	var path, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, auth = r.URL.Path, r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &got)
		w.Write(fixture(t, "send_success.json"))
	}))
	defer srv.Close()
	c := NewClient(srv.URL, "v23.0", time.Second)
	res, err := c.Send(context.Background(), "106540352242922", "tok", TemplateMessage("+5511987654321", "aviso", "pt_BR", []string{"Maria", "Corte"}, "job-1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.MessageID == "" || res.WAID == "" {
		t.Errorf("result %+v", res)
	}
	if path != "/v23.0/106540352242922/messages" || auth != "Bearer tok" {
		t.Errorf("path %q auth %q", path, auth)
	}
	tpl := got["template"].(map[string]any)
	params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
	if got["messaging_product"] != "whatsapp" || got["type"] != "template" || tpl["language"].(map[string]any)["code"] != "pt_BR" ||
		len(params) != 2 || params[1].(map[string]any)["text"] != "Corte" || got["biz_opaque_callback_data"] != "job-1" {
		t.Errorf("request body %v", got)
	}
}

func TestClassification(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      []byte
		code      int
		retryable bool
	}{
		{"token expired", 401, fixture(t, "send_error_190_token_expired_real_capture.json"), 190, false},
		{"rate limit", 400, fixture(t, "send_error_130429.json"), 130429, true},
		{"template missing", 404, fixture(t, "send_error_132001_real_capture.json"), 132001, false},
		{"re-engagement", 400, fixture(t, "send_error_131047_DERIVED.json"), 131047, false},
		{"bare 500", 500, nil, 0, true},
		{"bare 429", 429, []byte("slow down"), 0, true},
		{"bare 400", 400, []byte("<html>"), 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			}))
			defer srv.Close()
			_, err := NewClient(srv.URL, "v23.0", time.Second).Send(context.Background(), "1", "t", TextMessage("+5511987654321", "oi", ""))
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want APIError, got %v", err)
			}
			if apiErr.Code != tc.code || apiErr.Retryable() != tc.retryable || apiErr.HTTPStatus != tc.status {
				t.Errorf("got code %d retryable %v status %d", apiErr.Code, apiErr.Retryable(), apiErr.HTTPStatus)
			}
		})
	}
}

func TestTimeoutAfterWriteIsUnknown(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	_, err := NewClient(srv.URL, "v23.0", 200*time.Millisecond).Send(context.Background(), "1", "t", TextMessage("+5511987654321", "oi", ""))
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
}

func TestNoConnectionIsTransport(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = NewClient("http://"+addr, "v23.0", time.Second).Send(context.Background(), "1", "t", TextMessage("+5511987654321", "oi", ""))
	if !errors.Is(err, ErrTransport) {
		t.Fatalf("want ErrTransport, got %v", err)
	}
}
