// Package events is the Cloud Function that applies Meta's webhook deliveries. The
// webhook function publishes each signed delivery to a Pub/Sub topic; a push
// subscription (terraform/pubsub.tf) POSTs every message here with an OIDC token that
// Cloud Run checks before this code runs, retries a non-2xx answer with backoff, and
// moves a message that failed a bounded number of attempts to a dead-letter topic. The
// local stack feeds the same handler from the Pub/Sub emulator's push subscription.
package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/events"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "events"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// Handler builds the push handler from an environment.
func Handler(env *app.Env) (http.Handler, error) {
	svc, err := Service(env)
	if err != nil {
		return nil, err
	}
	return PushHandler(svc), nil
}

// PushRequest is the body of a Pub/Sub push request (the default, wrapped format):
// https://cloud.google.com/pubsub/docs/push#receive_push. data is base64 in JSON;
// deliveryAttempt is set when the subscription has a dead-letter policy.
type PushRequest struct {
	Message struct {
		Data        []byte            `json:"data"`
		Attributes  map[string]string `json:"attributes"`
		MessageID   string            `json:"messageId"`
		PublishTime string            `json:"publishTime"`
	} `json:"message"`
	Subscription    string `json:"subscription"`
	DeliveryAttempt int    `json:"deliveryAttempt"`
}

// maxPushBody bounds a push request: the webhook accepts deliveries of up to 4 MiB
// (Meta's reach 3 MB), 5.4 MiB once base64-encoded.
const maxPushBody = 8 << 20

// ParsePush reads a push request and returns the webhook body and its delivery id (the
// Pub/Sub message id; a hash of the body if there is none).
func ParsePush(raw []byte) (PushRequest, []byte, string, error) {
	var req PushRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, nil, "", fmt.Errorf("push body: %w", err)
	}
	if len(req.Message.Data) == 0 {
		return req, nil, "", errors.New("push body: no message data")
	}
	id := req.Message.MessageID
	if id == "" {
		sum := sha256.Sum256(req.Message.Data)
		id = "sha256-" + hex.EncodeToString(sum[:16])
	}
	return req, req.Message.Data, id, nil
}

// PushHandler serves Pub/Sub push deliveries. 2xx acknowledges the message; any other
// answer asks Pub/Sub to redeliver it (up to the subscription's max delivery attempts,
// then the dead-letter topic). A delivery that can never be applied is kept by the events
// service as a dead letter and acknowledged.
func PushHandler(svc *events.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		ctx := r.Context()
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
		var req PushRequest
		var body []byte
		var id string
		if err == nil {
			req, body, id, err = ParsePush(raw)
		}
		if err != nil {
			// Redelivery cannot fix an unreadable push request: acknowledge it.
			svc.Log.ErrorContext(ctx, "push request unreadable; dropped", "error", err.Error(), "bytes", len(raw))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := svc.HandleDelivery(ctx, body, id); err != nil {
			svc.Log.ErrorContext(ctx, "delivery failed; Pub/Sub will redeliver", "message_id", id,
				"delivery_attempt", req.DeliveryAttempt, "error", err.Error())
			http.Error(w, "retry", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
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
	return &events.Service{Store: st, Tasks: tasks, Pacer: tasks, Log: env.Log, Now: env.Now, VoucherBaseURL: env.Config.VoucherBaseURL, PairGap: env.Config.PairGap}, nil
}
