// Package events is the Cloud Function that applies Meta's webhook deliveries, fed
// by Pub/Sub through Eventarc (a CloudEvent carrying the published message).
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/events"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "events"

func init() { functions.CloudEvent(EntryPoint, handleCloudEvent) }

// MessagePublishedData is the data of a google.cloud.pubsub.topic.v1.messagePublished event.
type MessagePublishedData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
		MessageID  string            `json:"messageId"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

var service = app.NewLazy(Service)

func handleCloudEvent(ctx context.Context, e event.Event) error {
	svc, err := service.Get(ctx)
	if err != nil {
		return err // retried
	}
	body, id, err := delivery(e)
	if err != nil {
		svc.Log.ErrorContext(ctx, "event is not a Pub/Sub message; dropped", "id", e.ID(), "error", err.Error())
		return nil
	}
	return svc.HandleDelivery(ctx, body, id)
}

// delivery extracts the webhook body and a delivery id from a messagePublished event.
func delivery(e event.Event) ([]byte, string, error) {
	var msg MessagePublishedData
	if err := e.DataAs(&msg); err != nil {
		return nil, "", err
	}
	id := msg.Message.MessageID
	if id == "" {
		id = e.ID()
	}
	return msg.Message.Data, id, nil
}

// Service builds the events service from an environment.
func Service(env *app.Env) (*events.Service, error) {
	st, err := env.Store(context.Background())
	if err != nil {
		return nil, err
	}
	tasks, err := env.Tasks(context.Background())
	if err != nil {
		return nil, err
	}
	return &events.Service{Store: st, Tasks: tasks, Log: env.Log, Now: env.Now, VoucherBaseURL: env.Config.VoucherBaseURL}, nil
}

// PushHandler serves Pub/Sub push deliveries ({"message":{…},"subscription":…}) over
// plain HTTP: the local stack feeds it from the Pub/Sub emulator, and it is what a
// push subscription with a dead-letter topic would call. Non-2xx means redeliver.
func PushHandler(svc *events.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		var msg MessagePublishedData
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&msg); err != nil {
			svc.Log.ErrorContext(r.Context(), "push body unreadable; dropped", "error", err.Error())
			w.WriteHeader(http.StatusNoContent) // redelivery cannot fix it
			return
		}
		if err := svc.HandleDelivery(r.Context(), msg.Message.Data, msg.Message.MessageID); err != nil {
			svc.Log.ErrorContext(r.Context(), "delivery failed; Pub/Sub will redeliver", "message_id", msg.Message.MessageID, "error", err.Error())
			http.Error(w, fmt.Sprintf("retry: %v", err), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
