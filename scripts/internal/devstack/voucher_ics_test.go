package devstack_test

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/ical"
)

// fetch GETs url with optional request headers and returns the answer and its body.
func fetch(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// icsEvent fetches a voucher's calendar file, parses it strictly (RFC 5545) and returns
// the calendar and its one event.
func icsEvent(t *testing.T, voucherURL string) (*ical.Component, *ical.Component) {
	t.Helper()
	resp, body := fetch(t, voucherURL+".ics", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("calendar: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `inline; filename="agendamento-studio-jana-beleza.ics"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	cal, err := ical.Parse(body)
	if err != nil {
		t.Fatalf("the calendar file is not valid RFC 5545: %v\n%s", err, body)
	}
	evs := cal.Sub("VEVENT")
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	return cal, evs[0]
}

func value(c *ical.Component, name string) string {
	p, _ := c.Get(name)
	return p.Value
}

// TestVoucherCalendarFile: the voucher's .ics through the voucher function — booked
// (PUBLISH, SEQUENCE 0, the start in the tenant's zone, the 2-hour alarm), after a
// reschedule (same UID, SEQUENCE 1, the new start), after a cancel (CANCEL, CANCELLED,
// SEQUENCE 2, no alarm) — and the page's links to it and to Google Calendar.
func TestVoucherCalendarFile(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	startsAt := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("voucher-ics-1", startsAt))
	apt := r.Body["appointment"].(map[string]any)
	id := apt["id"].(string)
	vurl := apt["voucher_url"].(string)
	host, _ := url.Parse(vurl)

	cal, ev := icsEvent(t, vurl)
	uid := value(ev, "UID")
	if uid != id+"@"+host.Hostname() {
		t.Errorf("UID %q, want %s@%s", uid, id, host.Hostname())
	}
	check := func(stage, method, status, seq string, start time.Time, alarms int) {
		t.Helper()
		if value(cal, "METHOD") != method || value(ev, "STATUS") != status || value(ev, "SEQUENCE") != seq || value(ev, "UID") != uid {
			t.Errorf("%s: METHOD %s STATUS %s SEQUENCE %s UID %s", stage, value(cal, "METHOD"), value(ev, "STATUS"), value(ev, "SEQUENCE"), value(ev, "UID"))
		}
		dt, _ := ev.Get("DTSTART")
		if dt.Param("TZID") != ten.Location().String() || dt.Value != start.In(ten.Location()).Format("20060102T150405") {
			t.Errorf("%s: DTSTART %+v", stage, dt)
		}
		if got, err := ical.Time(cal, dt); err != nil || !got.Equal(start) {
			t.Errorf("%s: DTSTART resolves to %v (%v), want %v", stage, got, err, start)
		}
		summary, _ := ical.Unescape(value(ev, "SUMMARY"))
		location, _ := ical.Unescape(value(ev, "LOCATION"))
		if summary != "Design de sobrancelhas – "+ten.Name || location != ten.LocationLine {
			t.Errorf("%s: SUMMARY %q LOCATION %q", stage, summary, location)
		}
		if n := len(ev.Sub("VALARM")); n != alarms {
			t.Errorf("%s: %d alarms, want %d", stage, n, alarms)
		}
		if strings.Contains(value(ev, "DESCRIPTION"), "Souza") {
			t.Errorf("%s: the calendar names the client's surname", stage)
		}
	}
	check("booked", "PUBLISH", "CONFIRMED", "0", startsAt, 1)
	if a := ev.Sub("VALARM"); len(a) == 1 && value(a[0], "TRIGGER") != "-PT2H" {
		t.Errorf("alarm TRIGGER %q", value(a[0], "TRIGGER"))
	}

	_, page := fetch(t, vurl, nil)
	for _, want := range []string{`href="` + vurl[strings.LastIndex(vurl, "/")+1:] + `.ics"`, "Adicionar à agenda", "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;", "dates=" + startsAt.UTC().Format("20060102T150405Z") + "%2F"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the voucher page lacks %s", want)
		}
	}

	moved := startsAt.Add(26 * time.Hour)
	if r := call(t, s, key, "PATCH", "/v1/appointments/"+id, map[string]any{"starts_at": moved.Format(time.RFC3339)}); r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	cal, ev = icsEvent(t, vurl)
	check("rescheduled", "PUBLISH", "CONFIRMED", "1", moved, 1)

	if r := call(t, s, key, "POST", "/v1/appointments/"+id+"/cancel", map[string]any{"notify_client": false}); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	cal, ev = icsEvent(t, vurl)
	check("canceled", "CANCEL", "CANCELLED", "2", moved, 0)
	_, page = fetch(t, vurl, nil)
	if !strings.Contains(string(page), "Remover da agenda") || strings.Contains(string(page), "calendar.google.com") {
		t.Error("the canceled voucher's page does not offer to remove it from the calendar, or still offers Google Calendar")
	}
}

// TestVoucherImageRevalidates: the voucher image carries an ETag and a Cache-Control a
// changing public link needs; sent back in If-None-Match it gets 304 with no body; a
// reschedule changes the tag, and the new image differs from the old.
func TestVoucherImageRevalidates(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	_, key := demo(t, s, nil)
	startsAt := time.Now().Add(72 * time.Hour)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("voucher-etag-1", startsAt))
	apt := r.Body["appointment"].(map[string]any)
	vurl := apt["voucher_url"].(string)

	resp, img := fetch(t, vurl+".png", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("image: %d %s ETag %q", resp.StatusCode, resp.Header.Get("Content-Type"), etag)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatal(err)
	}
	again, img2 := fetch(t, vurl+".png", nil) // from the instance's cache: the same bytes
	if again.Header.Get("ETag") != etag || !bytes.Equal(img, img2) {
		t.Error("a second view of an unchanged voucher gives another image")
	}
	resp, body := fetch(t, vurl+".png", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etag {
		t.Errorf("revalidation: %d, %d bytes, ETag %q; want 304, none, %s", resp.StatusCode, len(body), resp.Header.Get("ETag"), etag)
	}
	if resp, _ := fetch(t, vurl+".png", map[string]string{"If-None-Match": `"img1-other"`}); resp.StatusCode != 200 {
		t.Errorf("another tag: %d, want 200", resp.StatusCode)
	}

	moved := startsAt.Add(24 * time.Hour)
	if r := call(t, s, key, "PATCH", "/v1/appointments/"+apt["id"].(string), map[string]any{"starts_at": moved.Format(time.RFC3339)}); r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	resp, img3 := fetch(t, vurl+".png", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag || bytes.Equal(img3, img) {
		t.Errorf("after a reschedule: %d, ETag %q (was %q); want 200, a new tag and a new image", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
}
