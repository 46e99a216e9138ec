package voucher

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ical"
)

// Event is what the calendar file and the Google Calendar link of a voucher say.
type Event struct {
	UID         string // stable per appointment: <appointment id>@<voucher host>
	Sequence    int    // grows with every reschedule, and once more on the cancel
	Canceled    bool
	Start       time.Time
	Duration    time.Duration
	Zone        *time.Location // the tenant's
	Summary     string
	Location    string
	Description string
	URL         string // the voucher page
	// Organizer is the studio, as iTIP needs one for PUBLISH and CANCEL (RFC 5546
	// §3.2.1, §3.2.5: "ORGANIZER … MUST be present"): its name and an address at the
	// voucher's host that takes no mail (studios have no address of their own here).
	OrganizerName, OrganizerEmail string
	Stamp                         time.Time // when this version of the appointment was written
	AlarmBefore                   time.Duration
	AlarmText                     string
}

// EventDuration is how long the calendar's event lasts: the booking API sends no end
// or duration, so an hour stands for every service.
const EventDuration = time.Hour

// AlarmBefore is when the calendar's alarm goes off before the appointment.
const AlarmBefore = 2 * time.Hour

// CalendarEvent is the calendar event of an appointment. Its UID is the appointment's
// id at host (the voucher's host), the same for every version; SEQUENCE is the
// appointment's schedule version less one (0 when booked, 1 after the first
// reschedule, …) and one more once canceled, so a calendar applies each change over
// the last; the stamp is the appointment's last update, so one version gives one file.
func CalendarEvent(t *domain.Tenant, apt *domain.Appointment, host, voucherURL string) Event {
	v := NewView(t, apt, "")
	seq := max(apt.ScheduleVersion-1, 0)
	canceled := apt.Status == domain.AppointmentCanceled
	if canceled {
		seq++
	}
	stamp := apt.UpdatedAt
	if stamp.IsZero() {
		stamp = apt.CreatedAt
	}
	if host == "" {
		host = "lembra"
	}
	e := Event{
		UID: apt.ID + "@" + host, Sequence: seq, Canceled: canceled,
		Start: apt.StartsAt, Duration: EventDuration, Zone: t.Location(),
		Summary:  summary(apt.Service, t.Name),
		Location: v.Location, URL: voucherURL, Stamp: stamp,
		OrganizerName: t.Name, OrganizerEmail: "naoresponda@" + host,
	}
	var d strings.Builder
	if canceled {
		d.WriteString("Este horário foi cancelado.\n")
	}
	fmt.Fprintf(&d, "%s\n%s às %s", e.Summary, v.Date, v.Time)
	if voucherURL != "" {
		d.WriteString("\nSeu voucher: " + voucherURL)
	}
	e.Description = d.String()
	if !canceled {
		e.AlarmBefore = AlarmBefore
		e.AlarmText = fmt.Sprintf("Daqui a 2 horas, às %s: %s", v.Time, e.Summary)
	}
	return e
}

func summary(service, studio string) string {
	switch {
	case service == "":
		return studio
	case studio == "":
		return service
	}
	return service + " – " + studio
}

// ProdID names the program that wrote the calendar (RFC 5545 §3.7.3).
const ProdID = "-//Lembra//Voucher//PT-BR"

// ICS writes the event as an iCalendar file (RFC 5545): METHOD:PUBLISH with
// STATUS:CONFIRMED while the appointment stands, METHOD:CANCEL with STATUS:CANCELLED
// once canceled (iTIP, RFC 5546 §3.2.5: same UID, a higher SEQUENCE). The start and
// end are local times of the tenant's zone (TZID), defined by a VTIMEZONE of the
// calendar; a booked event carries a display alarm AlarmBefore the start.
func ICS(e Event) []byte {
	zone := e.Zone
	if zone == nil {
		zone = time.UTC
	}
	method, status := "PUBLISH", "CONFIRMED"
	if e.Canceled {
		method, status = "CANCEL", "CANCELLED"
	}
	cal := &ical.Component{Name: "VCALENDAR"}
	cal.Add("VERSION", "2.0").Add("PRODID", ProdID).Add("CALSCALE", "GREGORIAN").Add("METHOD", method)
	cal.Components = append(cal.Components, vtimezone(zone, e.Start))
	tzid := ical.Param{Name: "TZID", Value: zone.String()}
	ev := &ical.Component{Name: "VEVENT"}
	ev.Add("UID", e.UID).
		Add("DTSTAMP", utcStamp(e.Stamp)).
		Add("SEQUENCE", fmt.Sprint(e.Sequence)).
		Add("DTSTART", localStamp(e.Start.In(zone)), tzid).
		Add("DTEND", localStamp(e.Start.Add(e.Duration).In(zone)), tzid).
		Add("SUMMARY", ical.Text(e.Summary)).
		Add("STATUS", status)
	if e.OrganizerEmail != "" {
		var params []ical.Param
		if e.OrganizerName != "" {
			// A parameter value may not hold a double quote (RFC 5545 §3.1).
			params = append(params, ical.Param{Name: "CN", Value: strings.ReplaceAll(e.OrganizerName, `"`, "'")})
		}
		ev.Add("ORGANIZER", "mailto:"+e.OrganizerEmail, params...)
	}
	if e.Location != "" {
		ev.Add("LOCATION", ical.Text(e.Location))
	}
	if e.Description != "" {
		ev.Add("DESCRIPTION", ical.Text(e.Description))
	}
	if e.URL != "" {
		ev.Add("URL", e.URL)
	}
	ev.Add("TRANSP", "OPAQUE")
	if e.AlarmBefore > 0 && !e.Canceled {
		alarm := &ical.Component{Name: "VALARM"}
		alarm.Add("ACTION", "DISPLAY").
			Add("TRIGGER", "-"+icalDuration(e.AlarmBefore)).
			Add("DESCRIPTION", ical.Text(e.AlarmText))
		ev.Components = append(ev.Components, alarm)
	}
	cal.Components = append(cal.Components, ev)
	return cal.Encode()
}

func utcStamp(t time.Time) string   { return t.UTC().Format("20060102T150405Z") }
func localStamp(t time.Time) string { return t.Format("20060102T150405") }

// icalDuration writes a positive duration as RFC 5545's dur-time (§3.3.6): PT2H, PT90M.
func icalDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("PT%dH", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("PT%dM", d/time.Minute)
	}
	return fmt.Sprintf("PT%dS", d/time.Second)
}

// vtimezone defines zone for the calendar (§3.6.5): its offset on 1 January of the year
// before the event, then each change of offset up to the end of the year after it, each
// a single onset (no RRULE) in the local time before the change, marked DAYLIGHT when
// Go's zone data says summer time, STANDARD otherwise. A zone without summer time (São
// Paulo since 2019) gets one STANDARD observance.
func vtimezone(zone *time.Location, around time.Time) *ical.Component {
	year := around.In(zone).Year()
	from := time.Date(year-1, 1, 1, 0, 0, 0, 0, zone)
	until := time.Date(year+2, 1, 1, 0, 0, 0, 0, zone)
	tz := &ical.Component{Name: "VTIMEZONE"}
	tz.Add("TZID", zone.String())
	observance := func(at time.Time, fromOffset int) {
		name, offset := at.Zone()
		kind := "STANDARD"
		if at.IsDST() {
			kind = "DAYLIGHT"
		}
		o := &ical.Component{Name: kind}
		o.Add("DTSTART", localStamp(at.UTC().Add(time.Duration(fromOffset)*time.Second))).
			Add("TZOFFSETFROM", utcOffset(fromOffset)).
			Add("TZOFFSETTO", utcOffset(offset)).
			Add("TZNAME", ical.Text(name))
		tz.Components = append(tz.Components, o)
	}
	_, offset := from.Zone()
	observance(from, offset)
	for day := from; day.Before(until); {
		next := day.Add(24 * time.Hour)
		_, a := day.Zone()
		if _, b := next.Zone(); a != b {
			lo, hi := day, next // the change lies in (lo, hi]
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, m := mid.Zone(); m == a {
					lo = mid
				} else {
					hi = mid
				}
			}
			observance(hi.Truncate(time.Second), a)
		}
		day = next
	}
	return tz
}

// utcOffset writes seconds east of UTC as ±HHMM (or ±HHMMSS).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	if sec%60 != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
}

// GoogleCalendarURL opens Google Calendar's "new event" form filled with the event:
// action=TEMPLATE, text, dates as start/end in UTC (basic format, …Z), details,
// location, and ctz, the zone to show the times in.
func GoogleCalendarURL(e Event) string {
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", e.Summary)
	q.Set("dates", utcStamp(e.Start)+"/"+utcStamp(e.Start.Add(e.Duration)))
	if e.Description != "" {
		q.Set("details", e.Description)
	}
	if e.Location != "" {
		q.Set("location", e.Location)
	}
	if e.Zone != nil {
		q.Set("ctz", e.Zone.String())
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

// ICSFileName is the calendar file's name for the download: the studio's name made
// safe for a file name, e.g. "Studio Jana Beleza.ics" → "agendamento-studio-jana-beleza.ics".
func ICSFileName(studio string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(studio)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimSuffix(b.String(), "-")
	if len(name) > 40 {
		name = strings.TrimSuffix(name[:40], "-")
	}
	if name == "" {
		return "agendamento.ics"
	}
	return "agendamento-" + name + ".ics"
}

var accents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "ä", "a", "é", "e", "ê", "e", "è", "e", "í", "i", "î", "i",
	"ó", "o", "ô", "o", "õ", "o", "ò", "o", "ú", "u", "ü", "u", "ù", "u", "ç", "c", "ñ", "n",
	"Á", "a", "À", "a", "Â", "a", "Ã", "a", "É", "e", "Ê", "e", "Í", "i", "Ó", "o", "Ô", "o", "Õ", "o", "Ú", "u", "Ç", "c",
)

func foldAccents(s string) string { return accents.Replace(s) }
