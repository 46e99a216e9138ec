package voucher

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ical"
)

func calTenant(zone string) *domain.Tenant {
	return &domain.Tenant{ID: "t1", Name: "Studio Jana; Beleza, Cia", TimeZone: zone, LocationLine: `Rua Augusta, 1500; sala 12 \ fundos`}
}

func calAppointment(start time.Time, version int, status domain.AppointmentStatus) *domain.Appointment {
	return &domain.Appointment{
		ID: "apt_0123456789abcdef01234567", TenantID: "t1", ClientName: "Maria Souza", ClientPhone: "+5511987654321",
		Service: "Design de sobrancelhas, com henna", StartsAt: start, Status: status, ScheduleVersion: version,
		CreatedAt: start.Add(-72 * time.Hour), UpdatedAt: start.Add(-48 * time.Hour),
	}
}

// TestCalendarEvent: the UID stays per appointment, SEQUENCE follows the schedule
// version and grows once more on the cancel, the place falls back to the tenant's, a
// booked event has the 2-hour alarm and a canceled one none.
func TestCalendarEvent(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	cases := []struct {
		name     string
		version  int
		status   domain.AppointmentStatus
		host     string
		seq      int
		canceled bool
	}{
		{"booked", 1, domain.AppointmentScheduled, "v.lembra.app", 0, false},
		{"confirmed", 1, domain.AppointmentConfirmed, "v.lembra.app", 0, false},
		{"rescheduled once", 2, domain.AppointmentScheduled, "v.lembra.app", 1, false},
		{"rescheduled twice", 3, domain.AppointmentConfirmed, "v.lembra.app", 2, false},
		{"canceled", 1, domain.AppointmentCanceled, "v.lembra.app", 1, true},
		{"canceled after a reschedule", 2, domain.AppointmentCanceled, "v.lembra.app", 2, true},
		{"no host", 1, domain.AppointmentScheduled, "", 0, false},
		{"an old record without a version", 0, domain.AppointmentScheduled, "h", 0, false},
	}
	for _, c := range cases {
		apt := calAppointment(start, c.version, c.status)
		e := CalendarEvent(calTenant("America/Sao_Paulo"), apt, c.host, "https://v.example/tok")
		wantHost := c.host
		if wantHost == "" {
			wantHost = "lembra"
		}
		if e.UID != apt.ID+"@"+wantHost {
			t.Errorf("%s: UID %q", c.name, e.UID)
		}
		if e.Sequence != c.seq || e.Canceled != c.canceled {
			t.Errorf("%s: SEQUENCE %d canceled %v, want %d %v", c.name, e.Sequence, e.Canceled, c.seq, c.canceled)
		}
		if (e.AlarmBefore == AlarmBefore) == c.canceled {
			t.Errorf("%s: alarm %v", c.name, e.AlarmBefore)
		}
		if e.Location != calTenant("").LocationLine || e.Summary != "Design de sobrancelhas, com henna – Studio Jana; Beleza, Cia" {
			t.Errorf("%s: location %q summary %q", c.name, e.Location, e.Summary)
		}
		if !strings.Contains(e.Description, "Design de sobrancelhas, com henna – Studio Jana; Beleza, Cia\n10/12/2026 às 14:00\n") || !strings.Contains(e.Description, "Seu voucher: https://v.example/tok") {
			t.Errorf("%s: description %q", c.name, e.Description)
		}
		if c.canceled != strings.HasPrefix(e.Description, "Este horário foi cancelado.") {
			t.Errorf("%s: description %q", c.name, e.Description)
		}
		if !e.Stamp.Equal(apt.UpdatedAt) || !e.Start.Equal(start) || e.Duration != EventDuration {
			t.Errorf("%s: stamp %v start %v duration %v", c.name, e.Stamp, e.Start, e.Duration)
		}
		if strings.Contains(e.Description+e.Summary, "Souza") || strings.Contains(e.Description, "98765") {
			t.Errorf("%s: the calendar names the client's surname or phone", c.name)
		}
	}
	apt := calAppointment(start, 1, domain.AppointmentScheduled)
	apt.Location = "Unidade Centro"
	if e := CalendarEvent(calTenant(""), apt, "h", ""); e.Location != "Unidade Centro" || strings.Contains(e.Description, "voucher") {
		t.Errorf("the appointment's own place, no voucher link: %+v", e)
	}
}

// TestICS: every file parses with the strict reader, and says what the event is —
// METHOD and STATUS by the appointment's state, SEQUENCE, the start and end as local
// times of the tenant's zone that resolve to the right instants through the file's own
// VTIMEZONE (a zone without summer time, one with it on both sides of the change), TEXT
// escaped, long lines folded, the alarm only while booked.
func TestICS(t *testing.T) {
	sp := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		zone      string
		start     time.Time
		version   int
		status    domain.AppointmentStatus
		method    string
		statusOut string
		seq       string
		localTime string
		observ    int // STANDARD + DAYLIGHT observances
	}{
		{"São Paulo, booked", "America/Sao_Paulo", sp, 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20261210T140000", 1},
		{"São Paulo, rescheduled", "America/Sao_Paulo", sp.Add(24 * time.Hour), 2, domain.AppointmentConfirmed, "PUBLISH", "CONFIRMED", "1", "20261211T140000", 1},
		{"São Paulo, canceled", "America/Sao_Paulo", sp, 2, domain.AppointmentCanceled, "CANCEL", "CANCELLED", "2", "20261210T140000", 1},
		{"Manaus", "America/Manaus", sp, 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20261210T130000", 1},
		{"New York, summer", "America/New_York", time.Date(2026, 7, 10, 13, 0, 0, 0, time.UTC), 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20260710T090000", 7},
		{"New York, the day after the change", "America/New_York", time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC), 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20261102T090000", 7},
		{"Lisbon, winter", "Europe/Lisbon", time.Date(2027, 1, 15, 9, 30, 0, 0, time.UTC), 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20270115T093000", 7},
		{"no zone set: the default", "", sp, 1, domain.AppointmentScheduled, "PUBLISH", "CONFIRMED", "0", "20261210T140000", 1},
	}
	for _, c := range cases {
		ten := calTenant(c.zone)
		apt := calAppointment(c.start, c.version, c.status)
		e := CalendarEvent(ten, apt, "v.lembra.app", "https://v.lembra.app/"+strings.Repeat("x", 32))
		e.Description += "\nObservação longa: " + strings.Repeat("ção ", 30) // forces folding across characters
		text := ICS(e)
		cal, err := ical.Parse(text)
		if err != nil {
			t.Errorf("%s: %v\n%s", c.name, err, text)
			continue
		}
		get := func(comp *ical.Component, name string) string {
			p, ok := comp.Get(name)
			if !ok {
				t.Errorf("%s: %s lacks %s", c.name, comp.Name, name)
			}
			return p.Value
		}
		if get(cal, "METHOD") != c.method || get(cal, "PRODID") != ProdID {
			t.Errorf("%s: METHOD %q", c.name, get(cal, "METHOD"))
		}
		evs := cal.Sub("VEVENT")
		if len(evs) != 1 {
			t.Fatalf("%s: %d events", c.name, len(evs))
		}
		ev := evs[0]
		if get(ev, "UID") != apt.ID+"@v.lembra.app" || get(ev, "SEQUENCE") != c.seq || get(ev, "STATUS") != c.statusOut {
			t.Errorf("%s: UID %q SEQUENCE %q STATUS %q", c.name, get(ev, "UID"), get(ev, "SEQUENCE"), get(ev, "STATUS"))
		}
		if org, _ := ev.Get("ORGANIZER"); org.Value != "mailto:naoresponda@v.lembra.app" || org.Param("CN") != ten.Name {
			t.Errorf("%s: ORGANIZER %+v, want the studio at an address that takes no mail (iTIP needs one)", c.name, org)
		}
		if get(ev, "DTSTAMP") != apt.UpdatedAt.UTC().Format("20060102T150405Z") {
			t.Errorf("%s: DTSTAMP %q", c.name, get(ev, "DTSTAMP"))
		}
		wantZone := ten.Location().String()
		zones := cal.Sub("VTIMEZONE")
		if len(zones) != 1 || get(zones[0], "TZID") != wantZone {
			t.Fatalf("%s: VTIMEZONE %v", c.name, zones)
		}
		if n := len(zones[0].Sub("STANDARD")) + len(zones[0].Sub("DAYLIGHT")); n != c.observ {
			t.Errorf("%s: %d observances, want %d", c.name, n, c.observ)
		}
		startProp, _ := ev.Get("DTSTART")
		if startProp.Value != c.localTime || startProp.Param("TZID") != wantZone {
			t.Errorf("%s: DTSTART %+v, want %s in %s", c.name, startProp, c.localTime, wantZone)
		}
		for name, want := range map[string]time.Time{"DTSTART": c.start, "DTEND": c.start.Add(time.Hour)} {
			p, _ := ev.Get(name)
			if got, err := ical.Time(cal, p); err != nil || !got.Equal(want) {
				t.Errorf("%s: %s resolves to %v (%v), want %v", c.name, name, got, err, want)
			}
		}
		for name, want := range map[string]string{"SUMMARY": e.Summary, "LOCATION": e.Location, "DESCRIPTION": e.Description} {
			got, err := ical.Unescape(get(ev, name))
			if err != nil || got != want {
				t.Errorf("%s: %s reads back %q (%v), want %q", c.name, name, got, err, want)
			}
		}
		alarms := ev.Sub("VALARM")
		if c.method == "CANCEL" {
			if len(alarms) != 0 {
				t.Errorf("%s: a canceled event keeps its alarm", c.name)
			}
		} else if len(alarms) != 1 || get(alarms[0], "TRIGGER") != "-PT2H" || get(alarms[0], "ACTION") != "DISPLAY" ||
			get(alarms[0], "DESCRIPTION") != ical.Text(e.AlarmText) || !strings.HasPrefix(e.AlarmText, "Daqui a 2 horas, às ") {
			t.Errorf("%s: alarm %+v", c.name, alarms)
		}
		if !strings.Contains(string(text), "\r\n ") {
			t.Errorf("%s: the long description was not folded", c.name)
		}
	}
}

// TestICSDaylightObservances: a zone with summer time gets its changes as DAYLIGHT and
// STANDARD onsets, in the local time before each change.
func TestICSDaylightObservances(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tz := vtimezone(ny, time.Date(2026, 7, 10, 13, 0, 0, 0, time.UTC))
	var got []string
	for _, o := range tz.Components {
		s, _ := o.Get("DTSTART")
		from, _ := o.Get("TZOFFSETFROM")
		to, _ := o.Get("TZOFFSETTO")
		got = append(got, o.Name+" "+s.Value+" "+from.Value+" "+to.Value)
	}
	want := []string{
		"STANDARD 20250101T000000 -0500 -0500",
		"DAYLIGHT 20250309T020000 -0500 -0400",
		"STANDARD 20251102T020000 -0400 -0500",
		"DAYLIGHT 20260308T020000 -0500 -0400",
		"STANDARD 20261101T020000 -0400 -0500",
		"DAYLIGHT 20270314T020000 -0500 -0400",
		"STANDARD 20271107T020000 -0400 -0500",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observances:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGoogleCalendarURL(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	e := CalendarEvent(calTenant("America/Sao_Paulo"), calAppointment(start, 1, domain.AppointmentScheduled), "h", "https://v.example/tok")
	u, err := url.Parse(GoogleCalendarURL(e))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "calendar.google.com" || u.Path != "/calendar/render" {
		t.Errorf("address %s", u)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"action":   "TEMPLATE",
		"text":     "Design de sobrancelhas, com henna – Studio Jana; Beleza, Cia",
		"dates":    "20261210T170000Z/20261210T180000Z",
		"details":  e.Description,
		"location": `Rua Augusta, 1500; sala 12 \ fundos`,
		"ctz":      "America/Sao_Paulo",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
}

func TestICSFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Studio Jana Beleza":         "agendamento-studio-jana-beleza.ics",
		"Espaço Flor Unhas":          "agendamento-espaco-flor-unhas.ics",
		"  Ateliê  d'Ávila & Cia ":   "agendamento-atelie-d-avila-cia.ics",
		"":                           "agendamento.ics",
		"***":                        "agendamento.ics",
		strings.Repeat("Salão ", 20): "agendamento-salao-salao-salao-salao-salao-salao-sala.ics",
	} {
		if got := ICSFileName(in); got != want {
			t.Errorf("ICSFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPageCalendarLinks: the voucher page offers the calendar file and Google Calendar
// while the appointment stands, only the file (which removes it) once canceled, and
// neither when the view has no calendar address.
func TestPageCalendarLinks(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	e := CalendarEvent(calTenant(""), calAppointment(start, 1, domain.AppointmentScheduled), "h", "")
	google := GoogleCalendarURL(e)
	cases := []struct {
		name     string
		v        View
		want     []string
		wantNone []string
	}{
		{"booked", View{Studio: "S", CalendarURL: "tok.ics", GoogleURL: google},
			[]string{`<a href="tok.ics" type="text/calendar">Adicionar à agenda</a>`, `href="https://calendar.google.com/calendar/render?action=TEMPLATE&amp;`, ">Google Agenda</a>"},
			[]string{"Remover da agenda"}},
		{"canceled", View{Studio: "S", CalendarURL: "tok.ics", Canceled: true},
			[]string{`<a href="tok.ics" type="text/calendar">Remover da agenda</a>`},
			[]string{"Adicionar à agenda", "Google Agenda"}},
		{"no calendar", View{Studio: "S"}, nil, []string{"à agenda", "Google Agenda", ".ics"}},
	}
	for _, c := range cases {
		b, err := HTML(c.v)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: the page lacks %s", c.name, w)
			}
		}
		for _, w := range c.wantNone {
			if strings.Contains(string(b), w) {
				t.Errorf("%s: the page has %s", c.name, w)
			}
		}
	}
}
