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

func TestWAMIDHash(t *testing.T) {
	const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA" // holds 16503879439
	cases := []struct {
		name, id, want string
	}{
		{"empty stays empty", "", ""},
		{"a wamid", wamid, "07b6f71c8dd9"}, // sha256sum of the id, first 12,
		{"another wamid", wamid[:len(wamid)-1] + "B", ""},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		got := WAMIDHash(c.id)
		if c.want != "" && got != c.want {
			t.Errorf("%s: WAMIDHash = %q, want %q", c.name, got, c.want)
		}
		if c.id != "" && (len(got) != 12 || strings.Trim(got, "0123456789abcdef") != "") {
			t.Errorf("%s: WAMIDHash = %q, want 12 lowercase hex characters", c.name, got)
		}
		if c.id == "" && got != "" {
			t.Errorf("%s: WAMIDHash = %q, want empty", c.name, got)
		}
		if seen[got] {
			t.Errorf("%s: hash %q repeats", c.name, got)
		}
		seen[got] = true
	}
}

func TestWAMIDAttrNeverLogsTheID(t *testing.T) {
	const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"
	var buf bytes.Buffer
	New(&buf, slog.LevelDebug).Info("client message recorded", WAMID("inbound_id", wamid))
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["inbound_id"] != WAMIDHash(wamid) {
		t.Errorf("inbound_id = %v, want %s", line["inbound_id"], WAMIDHash(wamid))
	}
	if strings.Contains(buf.String(), "HBgL") || strings.Contains(buf.String(), "16503879439") {
		t.Errorf("the wamid leaked into the log: %s", buf.String())
	}
}
