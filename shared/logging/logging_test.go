package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCloudLoggingKeysAndTrace(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("X-Cloud-Trace-Context", "abc123/1;o=1")
	ctx := WithTrace(context.Background(), r, "proj")
	log.WarnContext(ctx, "job skipped", "tenant_id", "t1", Phone("to", "+5511987654321"))

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	want := map[string]any{
		"severity":                     "WARNING",
		"message":                      "job skipped",
		"tenant_id":                    "t1",
		"to":                           "+5511*******21",
		"logging.googleapis.com/trace": "projects/proj/traces/abc123",
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["timestamp"]; !ok {
		t.Error("no timestamp")
	}
	if strings.Contains(buf.String(), "987654") {
		t.Error("phone number leaked into the log")
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"+5511987654321": "+5511*******21",
		"5511987654321":  "5511*******21",
		"+551":           "****",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
