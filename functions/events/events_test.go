package events

import (
	"strings"
	"testing"
)

// Bodies of Pub/Sub push requests in the wrapped format
// (https://cloud.google.com/pubsub/docs/push#receive_push): data is base64 in JSON.
func TestParsePush(t *testing.T) {
	const data = "eyJvYmplY3QiOiJ3aGF0c2FwcF9idXNpbmVzc19hY2NvdW50In0=" // {"object":"whatsapp_business_account"}
	cases := []struct {
		name    string
		raw     string
		body    string
		id      string // "hash" = derived from the body
		attempt int
		err     bool
	}{
		{"push with dead-letter policy",
			`{"message":{"attributes":{"sha256":"x"},"data":"` + data + `","messageId":"1234","message_id":"1234","publishTime":"2026-11-29T10:00:00.000Z","publish_time":"2026-11-29T10:00:00.000Z"},"subscription":"projects/p/subscriptions/events-push","deliveryAttempt":3}`,
			`{"object":"whatsapp_business_account"}`, "1234", 3, false},
		{"push without dead-letter policy",
			`{"message":{"data":"` + data + `","messageId":"99"},"subscription":"projects/p/subscriptions/s"}`,
			`{"object":"whatsapp_business_account"}`, "99", 0, false},
		{"no message id", `{"message":{"data":"` + data + `"}}`, `{"object":"whatsapp_business_account"}`, "hash", 0, false},
		{"not JSON", `not json`, "", "", 0, true},
		{"data not base64", `{"message":{"data":"%%%","messageId":"1"}}`, "", "", 0, true},
		{"no data", `{"message":{"messageId":"1"},"subscription":"s"}`, "", "", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, body, id, err := ParsePush([]byte(c.raw))
			if c.err {
				if err == nil {
					t.Fatalf("accepted: body %q id %q", body, id)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != c.body || req.DeliveryAttempt != c.attempt {
				t.Errorf("body %q attempt %d", body, req.DeliveryAttempt)
			}
			if c.id == "hash" {
				if !strings.HasPrefix(id, "sha256-") {
					t.Errorf("id %q", id)
				}
			} else if id != c.id {
				t.Errorf("id %q, want %q", id, c.id)
			}
		})
	}
}
