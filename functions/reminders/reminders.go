// Package reminders is the Cloud Function Cloud Scheduler calls every 5 minutes to
// enqueue the 24-hour reminders that are due (POST /), and daily to check every
// studio's Meta token (POST /token-check, shared/tokencheck).
package reminders

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/oidc"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/reminders"
	"github.com/lembra-app/lembra/shared/tokencheck"
	"github.com/lembra-app/lembra/shared/web"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "reminders"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// Handler builds the scan endpoint. Only the scheduler's service account may call it:
// Cloud Run checks the OIDC token (run.invoker), and the handler checks it again
// (issuer, audience, email), which is also what the local stack exercises.
func Handler(env *app.Env) (http.Handler, error) {
	st, err := env.Store(context.Background())
	if err != nil {
		return nil, err
	}
	tasks, err := env.Tasks(context.Background())
	if err != nil {
		return nil, err
	}
	svc := &reminders.Service{
		Store: st, Tasks: tasks, Log: env.Log, Now: env.Now,
		Horizon: env.Config.ReminderHorizon, BatchLimit: env.Config.BatchLimit,
	}
	scan := web.Handle(env.Log, func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			return web.Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		}
		res, err := svc.Scan(logging.WithTrace(r.Context(), r, env.Config.Project))
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, res)
		return nil
	})
	check := web.Handle(env.Log, func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodPost {
			return web.Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		}
		ctx := logging.WithTrace(r.Context(), r, env.Config.Project)
		// Uncached: a reconnection's new token must be read, not an old cached one.
		sm, err := env.SecretManager(ctx)
		if err != nil {
			return err
		}
		svc := &tokencheck.Service{Store: st, Graph: onboarding.NewGraphClient(env.Meta()), Secrets: sm,
			AppID: env.Config.MetaAppID, AppSecretID: env.Config.MetaAppSecretID, Log: env.Log, Now: env.Now}
		res, err := svc.Run(ctx)
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, res)
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("/token-check", check)
	mux.Handle("/", scan)
	cfg := env.Config
	// One caller for both: the scheduler's service account, with the function's URL
	// as the audience (terraform/scheduler.tf).
	return oidc.Require(env.Log, "reminders", oidc.Caller{
		Audience: cfg.RemindersAudience, Email: cfg.SchedulerServiceAccount,
		Issuers: cfg.OIDCIssuers, JWKSURL: cfg.OIDCJWKSURL,
	}, mux), nil
}
