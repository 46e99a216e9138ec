package ical

import (
	"strings"
	"testing"
	"time"
)

func TestTextAndUnescape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Design de sobrancelhas", "Design de sobrancelhas"},
		{"Rua A, 10; sala 2", `Rua A\, 10\; sala 2`},
		{`C:\pasta`, `C:\\pasta`},
		{"linha 1\nlinha 2", `linha 1\nlinha 2`},
		{"linha 1\r\nlinha 2\rlinha 3", `linha 1\nlinha 2\nlinha 3`},
		{`\,;` + "\n", `\\\,\;\n`},
		{"", ""},
	}
	for _, c := range cases {
		got := Text(c.in)
		if got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
		back, err := Unescape(got)
		if want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(c.in); err != nil || back != want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", got, back, err, want)
		}
	}
	for _, bad := range []string{`a\`, `a\x`, "a,b", "a;b"} {
		if _, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) accepted it", bad)
		}
	}
	if s, _ := Unescape(`A\NB`); s != "A\nB" {
		t.Errorf(`\N: %q`, s)
	}
}

// TestEncodeFolds: no line longer than 75 octets, a fold never splits a UTF-8
// character, and unfolding gives the line back.
func TestEncodeFolds(t *testing.T) {
	for _, value := range []string{
		strings.Repeat("a", 200),
		strings.Repeat("ç", 100),                               // 2 octets each
		strings.Repeat("é😀", 40),                               // 2 and 4 octets
		"x" + strings.Repeat("ã", 36) + strings.Repeat("b", 3), // a character across octet 75
		strings.Repeat("z", 75-len("DESCRIPTION:")),            // exactly 75: not folded
	} {
		c := &Component{Name: "VCALENDAR"}
		c.Add("DESCRIPTION", value)
		out := string(c.Encode())
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatal("no CRLF at the end")
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for _, l := range lines {
			if len(l) > MaxLine {
				t.Errorf("a %d-octet line: %q", len(l), l)
			}
			if !strings.HasPrefix(l, " ") && l != "BEGIN:VCALENDAR" && l != "END:VCALENDAR" && !strings.HasPrefix(l, "DESCRIPTION:") {
				t.Errorf("unexpected line %q", l)
			}
		}
		unfolded := strings.ReplaceAll(out, "\r\n ", "")
		if !strings.Contains(unfolded, "\r\nDESCRIPTION:"+value+"\r\n") {
			t.Errorf("unfolding does not give %q back", value)
		}
		if len("DESCRIPTION:"+value) <= MaxLine && len(lines) != 3 {
			t.Errorf("a line of %d octets was folded", len("DESCRIPTION:"+value))
		}
	}
}

const good = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//PT\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:America/Sao_Paulo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20261201T120000Z\r\nDTSTART;TZID=America/Sao_Paulo:20261210T140000\r\nSUMMARY:Corte\\, escova\r\n" +
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT2H\r\nDESCRIPTION:Lembrete\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestParse(t *testing.T) {
	cal, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Sub("VEVENT")[0]
	start, _ := ev.Get("DTSTART")
	at, err := Time(cal, start)
	if err != nil || !at.Equal(time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("DTSTART = %v, %v; want 17:00 UTC", at, err)
	}
	folded := strings.Replace(good, "SUMMARY:Corte\\, escova", "SUMMARY:Cor\r\n te\\, es\r\n\tcova", 1)
	if cal, err := Parse([]byte(folded)); err != nil {
		t.Errorf("folded: %v", err)
	} else if s, _ := cal.Sub("VEVENT")[0].Get("SUMMARY"); s.Value != `Corte\, escova` {
		t.Errorf("folded SUMMARY = %q", s.Value)
	}
	bad := map[string]string{
		"bare LF":               strings.ReplaceAll(good, "\r\n", "\n"),
		"one bare LF":           strings.Replace(good, "VERSION:2.0\r\n", "VERSION:2.0\n", 1),
		"no final CRLF":         strings.TrimSuffix(good, "\r\n"),
		"a long line":           strings.Replace(good, "UID:a@b", "UID:"+strings.Repeat("a", 80), 1),
		"unmatched END":         strings.Replace(good, "END:VALARM", "END:VEVENT", 1),
		"not closed":            strings.TrimSuffix(good, "END:VCALENDAR\r\n"),
		"after the end":         good + "BEGIN:VEVENT\r\nEND:VEVENT\r\n",
		"no UID":                strings.Replace(good, "UID:a@b\r\n", "", 1),
		"two UIDs":              strings.Replace(good, "UID:a@b\r\n", "UID:a@b\r\nUID:c@d\r\n", 1),
		"no DTSTAMP":            strings.Replace(good, "DTSTAMP:20261201T120000Z\r\n", "", 1),
		"no PRODID":             strings.Replace(good, "PRODID:-//t//t//PT\r\n", "", 1),
		"VERSION 1.0":           strings.Replace(good, "VERSION:2.0", "VERSION:1.0", 1),
		"undefined TZID":        strings.Replace(good, "DTSTART;TZID=America/Sao_Paulo", "DTSTART;TZID=Europe/Lisbon", 1),
		"unescaped comma":       strings.Replace(good, `Corte\, escova`, "Corte, escova", 1),
		"bad escape":            strings.Replace(good, `Corte\, escova`, `Corte\t escova`, 1),
		"bad DATE-TIME":         strings.Replace(good, "20261210T140000", "2026-12-10T14:00", 1),
		"alarm without text":    strings.Replace(good, "DESCRIPTION:Lembrete\r\n", "", 1),
		"zone without onset":    strings.Replace(good, "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\nEND:STANDARD\r\n", "", 1),
		"no name":               strings.Replace(good, "VERSION:2.0", ":2.0", 1),
		"unquoted comma param":  strings.Replace(good, "DTSTART;TZID=America/Sao_Paulo", "DTSTART;X-A=a,b;TZID=America/Sao_Paulo", 1),
		"a control character":   strings.Replace(good, "Lembrete", "Lem\x01brete", 1),
		"an empty line":         strings.Replace(good, "VERSION:2.0\r\n", "VERSION:2.0\r\n\r\n", 1),
		"first line continued":  " " + good,
		"not UTF-8":             strings.Replace(good, "Lembrete", "Lembr\xe9te", 1),
		"property outside":      "X-A:b\r\n" + good,
		"both DTEND, DURATION":  strings.Replace(good, "SUMMARY:", "DTEND:20261210T150000Z\r\nDURATION:PT1H\r\nSUMMARY:", 1),
		"top is not a calendar": strings.ReplaceAll(good, "VCALENDAR", "VTODO"),
	}
	for name, text := range bad {
		if _, err := Parse([]byte(text)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
}

func TestTimeWithDaylightSaving(t *testing.T) {
	zone := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:NY\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n" +
		"BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n" +
		"END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
	cal, err := Parse([]byte(zone))
	if err != nil {
		t.Fatal(err)
	}
	for local, want := range map[string]time.Time{
		"20260110T090000": time.Date(2026, 1, 10, 14, 0, 0, 0, time.UTC),
		"20260710T090000": time.Date(2026, 7, 10, 13, 0, 0, 0, time.UTC),
	} {
		got, err := Time(cal, Prop{Name: "DTSTART", Params: []Param{{"TZID", "NY"}}, Value: local})
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v, %v; want %v", local, got, err, want)
		}
	}
	if _, err := Time(cal, Prop{Name: "DTSTART", Params: []Param{{"TZID", "NY"}}, Value: "20200101T000000"}); err == nil {
		t.Error("a time before every observance resolved")
	}
	if _, err := Time(cal, Prop{Name: "DTSTART", Value: "20260110T090000"}); err == nil {
		t.Error("a floating time resolved")
	}
}

// iTIP (RFC 5546 §3.2): an event of a calendar with METHOD needs its ORGANIZER.
func TestValidateOrganizerWithMethod(t *testing.T) {
	cal := &Component{Name: "VCALENDAR"}
	cal.Add("VERSION", "2.0").Add("PRODID", "-//t//t//PT").Add("METHOD", "CANCEL")
	ev := &Component{Name: "VEVENT"}
	ev.Add("UID", "a@b").Add("DTSTAMP", "20261201T120000Z").Add("DTSTART", "20261202T120000Z")
	cal.Components = append(cal.Components, ev)
	if err := Validate(cal); err == nil {
		t.Error("a CANCEL without ORGANIZER passed")
	}
	ev.Add("ORGANIZER", "mailto:naoresponda@v.example", Param{Name: "CN", Value: "Studio Jana, Beleza"})
	if err := Validate(cal); err != nil {
		t.Errorf("with ORGANIZER: %v", err)
	}
	back, err := Parse(cal.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := back.Sub("VEVENT")[0].Get("ORGANIZER"); o.Param("CN") != "Studio Jana, Beleza" {
		t.Errorf("CN with a comma did not survive quoting: %+v", o)
	}
}
