package ical

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Parse reads one VCALENDAR strictly: valid UTF-8; every line ended by CRLF (no bare CR
// or LF) and at most 75 octets long; folded lines continued by one space or tab; each
// content line NAME *(;PARAM=VALUE) : VALUE with names of letters, digits and dashes,
// quoted parameter values where they hold : ; or ,; no control character in a value;
// BEGIN and END nested and matched; nothing outside the calendar. It then checks the
// properties RFC 5545 requires of the components it knows (Validate).
func Parse(b []byte) (*Component, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("ical: not UTF-8")
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		return nil, errors.New("ical: the last line is not ended by CRLF")
	}
	raw := strings.Split(string(b[:len(b)-2]), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("ical: line %d: a bare CR or LF", i+1)
		}
		if len(l) > MaxLine {
			return nil, fmt.Errorf("ical: line %d is %d octets long, more than %d", i+1, len(l), MaxLine)
		}
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			if len(lines) == 0 {
				return nil, errors.New("ical: the first line is a continuation")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		if l == "" {
			return nil, fmt.Errorf("ical: line %d is empty", i+1)
		}
		lines = append(lines, l)
	}
	var stack []*Component
	var root *Component
	for _, l := range lines {
		p, err := parseLine(l)
		if err != nil {
			return nil, err
		}
		switch strings.ToUpper(p.Name) {
		case "BEGIN":
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("ical: BEGIN:%s after the calendar ended", p.Value)
			}
			if !isName(p.Value) {
				return nil, fmt.Errorf("ical: BEGIN:%q is not a component name", p.Value)
			}
			c := &Component{Name: strings.ToUpper(p.Value)}
			if len(stack) == 0 {
				root = c
			} else {
				top := stack[len(stack)-1]
				top.Components = append(top.Components, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || !strings.EqualFold(stack[len(stack)-1].Name, p.Value) {
				return nil, fmt.Errorf("ical: END:%s does not close the open component", p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("ical: property %s outside any component", p.Name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if root == nil {
		return nil, errors.New("ical: no component")
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("ical: %s is not closed", stack[len(stack)-1].Name)
	}
	if root.Name != "VCALENDAR" {
		return nil, fmt.Errorf("ical: the top component is %s, not VCALENDAR", root.Name)
	}
	return root, Validate(root)
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// parseLine splits an unfolded content line (§3.1).
func parseLine(l string) (Prop, error) {
	i := strings.IndexAny(l, ";:")
	if i <= 0 || !isName(l[:i]) {
		return Prop{}, fmt.Errorf("ical: %q does not start with a property name", l)
	}
	p := Prop{Name: strings.ToUpper(l[:i])}
	rest := l[i:]
	for rest[0] == ';' {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || !isName(rest[:eq]) {
			return Prop{}, fmt.Errorf("ical: %s: a parameter without a name", p.Name)
		}
		name := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return Prop{}, fmt.Errorf("ical: %s: an unclosed quoted parameter", p.Name)
			}
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			end := strings.IndexAny(rest, ";:")
			if end < 0 {
				return Prop{}, fmt.Errorf("ical: %s: no value", p.Name)
			}
			val, rest = rest[:end], rest[end:]
			if strings.ContainsAny(val, `",`) {
				return Prop{}, fmt.Errorf("ical: %s: parameter %s=%q needs quotes", p.Name, name, val)
			}
		}
		if strings.IndexFunc(val, isControl) >= 0 {
			return Prop{}, fmt.Errorf("ical: %s: a control character in a parameter", p.Name)
		}
		p.Params = append(p.Params, Param{Name: name, Value: val})
		if rest == "" {
			return Prop{}, fmt.Errorf("ical: %s: no value", p.Name)
		}
	}
	if rest[0] != ':' {
		return Prop{}, fmt.Errorf("ical: %s: expected ':'", p.Name)
	}
	p.Value = rest[1:]
	if strings.IndexFunc(p.Value, isControl) >= 0 {
		return Prop{}, fmt.Errorf("ical: %s: a control character in the value", p.Name)
	}
	return p, nil
}

// required lists, per component, the properties that must appear exactly once
// (RFC 5545 §3.6, §3.6.1, §3.6.5, §3.6.6); DESCRIPTION is required of a DISPLAY alarm.
var required = map[string][]string{
	"VCALENDAR": {"PRODID", "VERSION"},
	"VEVENT":    {"UID", "DTSTAMP", "DTSTART"},
	"VTIMEZONE": {"TZID"},
	"STANDARD":  {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"},
	"DAYLIGHT":  {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"},
	"VALARM":    {"ACTION", "TRIGGER"},
}

// onceAtMost lists properties a component may not repeat (§3.6.1).
var onceAtMost = []string{"SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "SEQUENCE", "DTEND", "DURATION", "CLASS", "URL", "METHOD", "TRANSP"}

// Validate checks a parsed calendar against RFC 5545's rules for the components it
// knows: required properties present once, VERSION 2.0, DTEND and DURATION not both,
// a DISPLAY alarm's DESCRIPTION, a time zone with at least one observance, TEXT values
// escaped properly, DATE-TIME values well formed, and every TZID parameter naming a
// VTIMEZONE of the calendar (§3.2.19).
func Validate(cal *Component) error {
	zones := map[string]bool{}
	for _, z := range cal.Sub("VTIMEZONE") {
		if p, ok := z.Get("TZID"); ok {
			zones[p.Value] = true
		}
	}
	if v, _ := cal.Get("VERSION"); v.Value != "2.0" {
		return fmt.Errorf("ical: VERSION %q, want 2.0", v.Value)
	}
	var check func(c *Component) error
	check = func(c *Component) error {
		for _, name := range required[c.Name] {
			if n := len(c.All(name)); n != 1 {
				return fmt.Errorf("ical: %s has %d %s, want exactly one", c.Name, n, name)
			}
		}
		for _, name := range onceAtMost {
			if n := len(c.All(name)); n > 1 {
				return fmt.Errorf("ical: %s has %d %s", c.Name, n, name)
			}
		}
		if _, end := c.Get("DTEND"); end {
			if _, dur := c.Get("DURATION"); dur {
				return fmt.Errorf("ical: %s has both DTEND and DURATION", c.Name)
			}
		}
		if c.Name == "VEVENT" {
			if _, m := cal.Get("METHOD"); m {
				// iTIP (RFC 5546 §3.2): PUBLISH, REQUEST and CANCEL need the organizer.
				if n := len(c.All("ORGANIZER")); n != 1 {
					return fmt.Errorf("ical: a VEVENT of a calendar with METHOD has %d ORGANIZER, want exactly one", n)
				}
			}
		}
		if c.Name == "VALARM" {
			if a, _ := c.Get("ACTION"); a.Value == "DISPLAY" {
				if _, ok := c.Get("DESCRIPTION"); !ok {
					return errors.New("ical: a DISPLAY alarm without DESCRIPTION")
				}
			}
		}
		if c.Name == "VTIMEZONE" && len(c.Sub("STANDARD"))+len(c.Sub("DAYLIGHT")) == 0 {
			return errors.New("ical: a VTIMEZONE without STANDARD or DAYLIGHT")
		}
		for _, p := range c.Props {
			switch p.Name {
			case "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "TZNAME":
				if _, err := Unescape(p.Value); err != nil {
					return fmt.Errorf("%s: %w", p.Name, err)
				}
			case "DTSTART", "DTEND", "DTSTAMP", "CREATED", "LAST-MODIFIED":
				if _, _, err := parseDateTime(p.Value); err != nil {
					return fmt.Errorf("ical: %s: %w", p.Name, err)
				}
				if tz := p.Param("TZID"); tz != "" && !zones[tz] {
					return fmt.Errorf("ical: %s names TZID %q, which no VTIMEZONE defines", p.Name, tz)
				}
			}
		}
		for _, s := range c.Components {
			if err := check(s); err != nil {
				return err
			}
		}
		return nil
	}
	return check(cal)
}

// parseDateTime reads a DATE-TIME value (§3.3.5): local (floating or with TZID) or,
// ending in Z, UTC.
func parseDateTime(v string) (t time.Time, utc bool, err error) {
	utc = strings.HasSuffix(v, "Z")
	t, err = time.Parse("20060102T150405", strings.TrimSuffix(v, "Z"))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is not a DATE-TIME", v)
	}
	return t, utc, nil
}

// parseOffset reads a UTC-OFFSET value (§3.3.14): ±HHMM or ±HHMMSS.
func parseOffset(v string) (int, error) {
	if len(v) != 5 && len(v) != 7 || v[0] != '+' && v[0] != '-' {
		return 0, fmt.Errorf("ical: %q is not a UTC offset", v)
	}
	var h, m, s int
	if _, err := fmt.Sscanf(v[1:5], "%02d%02d", &h, &m); err != nil {
		return 0, fmt.Errorf("ical: %q is not a UTC offset", v)
	}
	if len(v) == 7 {
		if _, err := fmt.Sscanf(v[5:], "%02d", &s); err != nil {
			return 0, fmt.Errorf("ical: %q is not a UTC offset", v)
		}
	}
	off := h*3600 + m*60 + s
	if v[0] == '-' {
		off = -off
	}
	return off, nil
}

// Time resolves a DATE-TIME property to an instant: UTC (…Z) as it is, a TZID through
// the calendar's VTIMEZONE of that id. Observances are read as single onsets (an
// observance with RRULE or RDATE is refused: this reader does not expand them): the
// local time takes the offset of the latest observance whose onset, in the local time
// before it, is not after it. A floating time (no Z, no TZID) is refused.
func Time(cal *Component, p Prop) (time.Time, error) {
	local, utc, err := parseDateTime(p.Value)
	if err != nil {
		return time.Time{}, err
	}
	if utc {
		return local, nil
	}
	tzid := p.Param("TZID")
	if tzid == "" {
		return time.Time{}, fmt.Errorf("ical: %s is a floating time", p.Name)
	}
	for _, z := range cal.Sub("VTIMEZONE") {
		if id, _ := z.Get("TZID"); id.Value != tzid {
			continue
		}
		type onset struct {
			at  time.Time
			off int
		}
		var onsets []onset
		for _, o := range append(z.Sub("STANDARD"), z.Sub("DAYLIGHT")...) {
			if _, ok := o.Get("RRULE"); ok {
				return time.Time{}, errors.New("ical: observances with RRULE are not expanded by this reader")
			}
			if _, ok := o.Get("RDATE"); ok {
				return time.Time{}, errors.New("ical: observances with RDATE are not expanded by this reader")
			}
			start, _ := o.Get("DTSTART")
			at, _, err := parseDateTime(start.Value)
			if err != nil {
				return time.Time{}, err
			}
			to, _ := o.Get("TZOFFSETTO")
			off, err := parseOffset(to.Value)
			if err != nil {
				return time.Time{}, err
			}
			if _, err := parseOffset(first(o, "TZOFFSETFROM")); err != nil {
				return time.Time{}, err
			}
			onsets = append(onsets, onset{at, off})
		}
		sort.Slice(onsets, func(i, j int) bool { return onsets[i].at.Before(onsets[j].at) })
		off, found := 0, false
		for _, o := range onsets {
			if !o.at.After(local) {
				off, found = o.off, true
			}
		}
		if !found {
			return time.Time{}, fmt.Errorf("ical: %s is before every observance of %s", p.Value, tzid)
		}
		return local.Add(-time.Duration(off) * time.Second), nil
	}
	return time.Time{}, fmt.Errorf("ical: no VTIMEZONE %q", tzid)
}

func first(c *Component, name string) string {
	p, _ := c.Get(name)
	return p.Value
}
