// Package api is the Cloud Function behind the booking API (booking systems, with a
// tenant API key) and, later, the staff dashboard.
package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "api"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// maxBody bounds every request body.
const maxBody = 16 << 10

// Handler builds the API from an environment.
func Handler(env *app.Env) (http.Handler, error) {
	st, err := env.Store(context.Background())
	if err != nil {
		return nil, err
	}
	tasks, err := env.Tasks(context.Background())
	if err != nil {
		return nil, err
	}
	s := &server{
		env:     env,
		store:   st,
		booking: &booking.Service{Store: st, Tasks: tasks, Log: env.Log, Now: env.Now},
	}
	s.verifier, s.staffDir = firebaseVerifier{env: env}, st
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		if rt.staff != nil {
			mux.Handle(rt.pattern, s.staffOnly(rt.staff, rt.roles...))
		} else {
			mux.Handle(rt.pattern, s.tenantOnly(rt.handler))
		}
	}
	mux.Handle("/", web.Handle(env.Log, func(w http.ResponseWriter, r *http.Request) error {
		return web.Errorf(http.StatusNotFound, "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path)
	}))
	return withCORS(env.Config.DashboardOrigins, mux), nil
}

// withCORS lets the staff dashboard, served from another origin, call the API from a
// browser: it answers preflights itself and adds the headers corsHeaders decides.
func withCORS(origins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, preflight := corsHeaders(origins, r.Method, r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method"))
		for k, v := range h {
			w.Header()[k] = v
		}
		if preflight {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CORS of the API (https://fetch.spec.whatwg.org/#http-cors-protocol): what the
// dashboard sends (its ID token in Authorization, JSON bodies) and the methods it uses.
const (
	corsAllowMethods = "GET, POST, PATCH, PUT"
	corsAllowHeaders = "Authorization, Content-Type"
	corsMaxAge       = "600" // seconds a browser may reuse a preflight's answer
)

// corsHeaders decides the CORS headers of a request with the given method, Origin and
// Access-Control-Request-Method, for the allowed origins (exact match; none: no
// browser on another origin may call). preflight: the request is a CORS preflight
// (OPTIONS with Access-Control-Request-Method), answered 204 with these headers and
// never passed to a route; an origin not allowed gets no Access-Control-Allow-Origin,
// so the browser refuses the call. Requests without Origin (booking systems, curl) get
// nothing.
func corsHeaders(allowed []string, method, origin, requestMethod string) (http.Header, bool) {
	preflight := method == http.MethodOptions && requestMethod != "" && origin != ""
	h := http.Header{}
	if len(allowed) > 0 {
		h.Set("Vary", "Origin") // the answer depends on Origin: caches must not share it
	}
	if origin == "" || !slices.Contains(allowed, origin) {
		return h, preflight
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if preflight {
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", corsMaxAge)
	}
	return h, preflight
}

// route is one endpoint: a booking API route (handler, authenticated by the tenant API
// key) or a dashboard route (staff, authenticated by a staff ID token, open to roles;
// none: every role).
type route struct {
	pattern string // http.ServeMux pattern: "METHOD /path/{wildcard}"
	handler tenantHandler
	staff   staffHandler
	roles   []domain.StaffRole
}

// routes lists every route of the API; docs/openapi.json describes each one
// (TestOpenAPIMatchesRoutes).
func (s *server) routes() []route {
	return append([]route{
		{pattern: "POST /v1/appointments", handler: s.createAppointment},
		{pattern: "GET /v1/appointments/{id}", handler: s.getAppointment},
		{pattern: "PATCH /v1/appointments/{id}", handler: s.rescheduleAppointment},
		{pattern: "POST /v1/appointments/{id}/cancel", handler: s.cancelAppointment},
	}, s.staffRoutes()...)
}

type server struct {
	env      *app.Env
	store    *store.Store
	booking  *booking.Service
	verifier idTokenVerifier // staff ID tokens (staff.go)
	staffDir staffDirectory  // staff/{uid} mappings and tenants: the store
}

var appointmentIDPattern = regexp.MustCompile(`^apt_[0-9a-f]{24}$`)

type tenantHandler func(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error

// tenantOnly authenticates a booking system by its tenant API key.
func (s *server) tenantOnly(h tenantHandler) http.Handler {
	return web.Handle(s.env.Log, func(w http.ResponseWriter, r *http.Request) error {
		kind, key := presented(r)
		if kind == credIDToken {
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "the booking API takes the tenant API key, not a staff sign-in token")
		}
		if key == "" {
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "send the tenant API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'")
		}
		// The format is checked first: a key that could never have been issued costs
		// no Firestore read. The key's record and the tenant are cached for seconds
		// (store.APIKeyCacheTTL, store.TenantCacheTTL): a key revoked through this
		// instance is refused at once, through another within APIKeyCacheTTL.
		rec, touchErr, err := tenants.Authenticate(r.Context(), s.store, key, s.env.Now())
		switch {
		case errors.Is(err, tenants.ErrKeyFormat):
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "API key not recognised: keys look like %s<16 hex digits>_<52 characters a-z, 2-7>", tenants.APIKeyPrefix)
		case errors.Is(err, tenants.ErrKeyRevoked):
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "API key revoked: ask the operator for a new one")
		case errors.Is(err, tenants.ErrKeyUnknown):
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "API key not recognised")
		case err != nil:
			return err
		}
		if touchErr != nil {
			s.env.Log.WarnContext(r.Context(), "api key last use not recorded", "tenant_id", rec.TenantID, "api_key_id", rec.ID, "error", touchErr.Error())
		}
		t, err := s.store.CachedTenant(r.Context(), rec.TenantID)
		if errors.Is(err, domain.ErrNotFound) {
			return web.Errorf(http.StatusUnauthorized, "unauthenticated", "API key not recognised")
		}
		if err != nil {
			return err
		}
		if id := r.PathValue("id"); id != "" && !appointmentIDPattern.MatchString(id) {
			return web.Errorf(http.StatusNotFound, "not_found", "no appointment %q", id)
		}
		ctx := logging.WithTrace(r.Context(), r, s.env.Config.Project)
		return h(w, r.WithContext(ctx), t)
	})
}

func parseTime(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil // reported as missing by validation
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, web.FieldError(field, "invalid_time", "%s must be an RFC 3339 time with its offset, e.g. 2026-12-01T14:00:00-03:00", field)
	}
	return t, nil
}

func (s *server) createAppointment(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error {
	var req CreateAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	startsAt, err := parseTime("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	apt, jobs, created, err := s.booking.Create(r.Context(), t, booking.NewAppointment{
		ExternalID: req.ExternalID, ClientName: req.ClientName, ClientPhone: req.ClientPhone,
		Service: req.Service, Location: req.Location, StartsAt: startsAt,
	})
	if err != nil {
		return queueError(err, "the appointment is stored but its notice could not be queued; send the same request again")
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.env.Log.InfoContext(r.Context(), "appointment created", "tenant_id", t.ID, "appointment_id", apt.ID, "jobs", len(jobs))
	}
	web.WriteJSON(w, status, s.view(t, apt, jobs))
	return nil
}

func (s *server) getAppointment(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error {
	id := r.PathValue("id")
	apt, err := s.store.GetAppointment(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	jobs, err := s.store.AppointmentJobs(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s.view(t, apt, jobs))
	return nil
}

func (s *server) rescheduleAppointment(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error {
	var req RescheduleAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	startsAt, err := parseTime("starts_at", req.StartsAt)
	if err != nil {
		return err
	}
	apt, jobs, err := s.booking.Reschedule(r.Context(), t, r.PathValue("id"), startsAt)
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "appointment rescheduled", "tenant_id", t.ID, "appointment_id", apt.ID, "schedule_version", apt.ScheduleVersion)
	web.WriteJSON(w, http.StatusOK, s.view(t, apt, jobs))
	return nil
}

// queueError answers a change that committed but whose task could not be created with
// 503 queue_unavailable: repeating the request creates the task (booking heals it).
func queueError(err error, message string) error {
	if errors.Is(err, booking.ErrQueueUnavailable) {
		return web.Errorf(http.StatusServiceUnavailable, "queue_unavailable", "%s", message)
	}
	return err
}

func (s *server) cancelAppointment(w http.ResponseWriter, r *http.Request, t *domain.Tenant) error {
	var req CancelAppointmentRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	if req.NotifyClient == nil {
		return web.FieldError("notify_client", "required", "notify_client (true or false) is required")
	}
	apt, jobs, err := s.booking.Cancel(r.Context(), t, r.PathValue("id"), *req.NotifyClient)
	if err != nil {
		return queueError(err, "the appointment is canceled but the client's notice could not be queued; send the same request again")
	}
	s.env.Log.InfoContext(r.Context(), "appointment canceled", "tenant_id", t.ID, "appointment_id", apt.ID, "notify_client", *req.NotifyClient)
	web.WriteJSON(w, http.StatusOK, s.view(t, apt, jobs))
	return nil
}

// view is the answer of every appointment route.
func (s *server) view(t *domain.Tenant, apt *domain.Appointment, jobs []*domain.Job) AppointmentResponse {
	return NewAppointmentResponse(apt, jobs, t.Location(), s.env.Config.VoucherBaseURL)
}
