// Package dispatch is the Cloud Function that Cloud Tasks call to send one job.
package dispatch

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/oidc"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/web"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "dispatch"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// Handler builds the dispatch handler from an environment. Only Cloud Tasks may call
// it: every task carries an OIDC token of the tasks service account
// (LEMBRA_TASKS_SERVICE_ACCOUNT) for LEMBRA_TASKS_AUDIENCE. Cloud Run checks that token
// (run.invoker), and the handler checks it again (issuer, audience, email), as reminders
// does for the scheduler; anything else gets 401 or 403 and sends nothing.
func Handler(env *app.Env) (http.Handler, error) {
	st, err := env.Store(context.Background())
	if err != nil {
		return nil, err
	}
	tasks, err := env.Tasks(context.Background())
	if err != nil {
		return nil, err
	}
	sec, err := env.Secrets(context.Background())
	if err != nil {
		return nil, err
	}
	svc := &dispatch.Service{
		Config: env.Config, Store: st, Tasks: tasks, Secrets: sec, Meta: env.Meta(), Log: env.Log, Now: env.Now,
	}
	send := web.Handle(env.Log, func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			return web.Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		}
		var p queue.Payload
		if err := web.DecodeJSON(w, r, 4<<10, &p); err != nil {
			return err
		}
		if strings.TrimSpace(p.TenantID) == "" || strings.TrimSpace(p.JobID) == "" {
			return web.Errorf(http.StatusBadRequest, "invalid_task", "tenant_id and job_id are required")
		}
		ctx := logging.WithTrace(r.Context(), r, env.Config.Project)
		err := svc.Dispatch(ctx, p.TenantID, p.JobID)
		var notYet *dispatch.NotYetError
		if errors.As(err, &notYet) {
			// Cloud Tasks honours Retry-After on 503.
			secs := int(math.Ceil(time.Until(notYet.At).Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			return web.Errorf(http.StatusServiceUnavailable, "not_due", "%s", notYet.Error())
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	cfg := env.Config
	return oidc.Require(env.Log, "dispatch", oidc.Caller{
		Audience: cfg.TasksAudience, Email: cfg.TasksServiceAccount,
		Issuers: cfg.OIDCIssuers, JWKSURL: cfg.OIDCJWKSURL,
	}, send), nil
}
