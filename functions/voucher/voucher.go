// Package voucher is the public Cloud Function behind the links sent to clients:
// /{token} is the voucher page, /{token}.png its image, /{token}.ics its calendar file
// (RFC 5545). The token is unguessable. All answer 410 with a page saying the voucher expired from LEMBRA_VOUCHER_TTL_DAYS after
// the appointment on. It also serves the public pages the voucher links, the privacy
// policy (/privacidade) and the terms of use (/termos) (shared/legal).
package voucher

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/legal"
	"github.com/lembra-app/lembra/shared/voucher"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "voucher"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// Handler builds the voucher pages from an environment.
func Handler(env *app.Env) (http.Handler, error) {
	st, err := env.Store(context.Background())
	if err != nil {
		return nil, err
	}
	legalPages, err := legal.NewHandler(legal.FactsFrom(env.Config))
	if err != nil {
		return nil, err
	}
	images := voucher.NewImageCache(voucher.ImageCacheSize)
	// The calendar's UID is <appointment id>@<voucher host>: the same for every version.
	var host string
	if u, err := url.Parse(env.Config.VoucherBaseURL); err == nil {
		host = u.Hostname()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if legalPages.Serve(w, r) { // /privacidade, /termos: no token has these names
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "método não permitido", http.StatusMethodNotAllowed)
			return
		}
		name := strings.Trim(r.URL.Path, "/")
		token, asImage := strings.CutSuffix(name, ".png")
		asCalendar := false
		if !asImage {
			token, asCalendar = strings.CutSuffix(token, ".ics")
		}
		w.Header().Set("Cache-Control", "no-store") // the status changes (Confirmado, Cancelado)
		w.Header().Set("X-Robots-Tag", "noindex")
		w.Header().Set("Referrer-Policy", "no-referrer")
		notFound := func() {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(voucher.NotFoundHTML))
		}
		// A malformed token is not found without a store call (the store checks it too:
		// domain.ValidVoucherToken).
		if !domain.ValidVoucherToken(token) {
			notFound()
			return
		}
		t, apt, err := st.VoucherAppointment(r.Context(), token)
		if errors.Is(err, domain.ErrNotFound) {
			notFound()
			return
		}
		if err != nil {
			env.Log.ErrorContext(r.Context(), "voucher lookup failed", "error", err.Error())
			http.Error(w, "Não foi possível abrir o voucher agora. Tente de novo em instantes.", http.StatusServiceUnavailable)
			return
		}
		if voucher.Expired(apt.StartsAt, env.Config.VoucherTTL, time.Now()) {
			// The page and the image alike: 410, and a friendly page in either case.
			page, err := voucher.ExpiredHTML(t.Name)
			if err != nil {
				env.Log.ErrorContext(r.Context(), "voucher rendering failed", "error", err.Error())
				http.Error(w, "erro ao gerar o voucher", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			w.WriteHeader(http.StatusGone)
			_, _ = w.Write(page)
			return
		}
		v := voucher.NewView(t, apt, token+".png")
		voucherURL := ""
		if env.Config.VoucherBaseURL != "" {
			voucherURL = env.Config.VoucherBaseURL + "/" + token
		}
		// The calendar event, for the .ics and the page's calendar links only (not for
		// an image or its 304).
		event := func() voucher.Event { return voucher.CalendarEvent(t, apt, host, voucherURL) }
		var body []byte
		switch {
		case asImage:
			// A public link whose image changes on a reschedule, a confirmation or a
			// cancel: browsers may keep it but must ask again each time (no-cache),
			// shared caches must not keep it (private); an unchanged image answers 304
			// without a render, a changed one is rendered once per instance (images).
			etag := voucher.ImageETag(apt, v)
			w.Header().Set("Cache-Control", "private, no-cache")
			w.Header().Set("ETag", etag)
			if voucher.ETagMatches(r.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			if cached, ok := images.Get(token, etag); ok {
				_, _ = w.Write(cached)
				return
			}
			body, err = voucher.PNG(v)
			if err == nil {
				images.Put(token, etag, body)
			}
		case asCalendar:
			body = voucher.ICS(event())
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.Header().Set("Content-Disposition", `inline; filename="`+voucher.ICSFileName(t.Name)+`"`)
		default:
			v.CalendarURL = token + ".ics"
			if e := event(); !e.Canceled {
				v.GoogleURL = voucher.GoogleCalendarURL(e)
			}
			body, err = voucher.HTML(v)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'")
		}
		if err != nil {
			env.Log.ErrorContext(r.Context(), "voucher rendering failed", "error", err.Error())
			http.Error(w, "erro ao gerar o voucher", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(body)
	}), nil
}
