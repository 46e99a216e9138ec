package events

import (
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
)

// The body Eventarc delivers for a Pub/Sub message (google.cloud.pubsub.topic.v1.messagePublished):
// data is base64 in JSON, as in golang-samples' hellopubsub.
func TestDeliveryFromMessagePublishedEvent(t *testing.T) {
	e := event.New()
	e.SetID("evt-1")
	e.SetType("google.cloud.pubsub.topic.v1.messagePublished")
	e.SetSource("//pubsub.googleapis.com/projects/p/topics/meta-webhooks")
	raw := `{"message":{"data":"eyJvYmplY3QiOiJ3aGF0c2FwcF9idXNpbmVzc19hY2NvdW50In0=","attributes":{"sha256":"x"},"messageId":"1234","publishTime":"2026-11-29T10:00:00Z"},"subscription":"projects/p/subscriptions/eventarc-x"}`
	if err := e.SetData("application/json", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	body, id, err := delivery(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"object":"whatsapp_business_account"}` || id != "1234" {
		t.Errorf("body %q id %q", body, id)
	}

	e.SetData("application/json", []byte(`not json`))
	if _, _, err := delivery(e); err == nil {
		t.Error("a non-Pub/Sub event was accepted")
	}
}
