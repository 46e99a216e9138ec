package tenants

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// The studio's settings as its owner changes them in the dashboard (PATCH
// /v1/staff/settings): one pure rule per setting (Check…), and SettingsMerge, which
// applies a checked change through Apply (the merge scripts/tenant uses) and lists
// what changed for the settings history. Field errors are *domain.ValidationError in
// Portuguese, named by the request's JSON path (e.g. "opening_hours.monday.open").

// Limits of the texts, in characters.
const (
	MaxLocationLine = 200 // as the booking API's location (shared/booking)
	// MaxStaffLabel is WhatsApp's limit on a reply button's title: 20 characters
	// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages).
	MaxStaffLabel     = 20
	MaxRescheduleText = 1000 // a text message may hold 4096; the answer to a tap stays short
	MaxKeyLabel       = 60
	// MaxTemplateName is Meta's limit on a template's name: at most 512 lowercase
	// letters, digits and underscores
	// (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates).
	MaxTemplateName = 512
)

// TemplateJobTypes are the messages sent as templates, whose template the owner picks.
var TemplateJobTypes = []domain.JobType{domain.JobCreated, domain.JobReminder}

var (
	templateNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)
	// A Meta language code: ll, lll or ll_CC (pt_BR, en, en_US, fil).
	templateLanguagePattern = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
	hourPattern             = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

func invalid(field, code, message string) error {
	return &domain.ValidationError{Field: field, Code: code, Message: message}
}

// checkChars refuses a text holding a character domain.ForbiddenRune finds (line
// breaks too unless multiline).
func checkChars(field, v string, multiline bool) error {
	if multiline {
		v = strings.ReplaceAll(v, "\n", " ")
	}
	if _, _, bad := domain.ForbiddenRune(v); bad {
		return invalid(field, domain.CodeInvalidCharacters, ptbr.TextInvisibleCharacter)
	}
	return nil
}

// AllowedModes are the modes a tenant may choose where the environment's mode is env:
// none beyond it (dispatch sends in the more restrictive of the two, domain.EffectiveMode).
func AllowedModes(env domain.Mode) []domain.Mode {
	var out []domain.Mode
	for _, m := range []domain.Mode{domain.ModeDisabled, domain.ModeDryRun, domain.ModeEnabled} {
		if domain.EffectiveMode(env, m) == m {
			out = append(out, m)
		}
	}
	return out
}

// CheckMode reads a mode the owner asks for; one beyond the environment's is refused.
func CheckMode(raw string, env domain.Mode) (domain.Mode, error) {
	m, err := domain.ParseMode(raw)
	if err != nil {
		return "", invalid("mode", "invalid_value", ptbr.TextModeUnknown)
	}
	if !slices.Contains(AllowedModes(env), m) {
		return "", invalid("mode", "invalid_value", ptbr.ModeAboveEnvironment(m, domain.EffectiveMode(env, domain.ModeEnabled)))
	}
	return m, nil
}

// CheckTimeZone reads an IANA time zone name (America/Sao_Paulo); "Local" and names
// the Go runtime does not know are refused.
func CheckTimeZone(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return "", invalid("time_zone", "required", ptbr.TextTimeZoneRequired)
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return "", invalid("time_zone", "invalid_value", ptbr.TimeZoneUnknown(name))
	}
	return name, nil
}

// CheckLocationLine reads the studio's address line (the templates' location).
func CheckLocationLine(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", invalid("location_line", "required", ptbr.TextLocationRequired)
	case utf8.RuneCountInString(v) > MaxLocationLine:
		return "", invalid("location_line", "too_long", ptbr.TooLong("O endereço", MaxLocationLine))
	}
	return v, checkChars("location_line", v, false)
}

// CheckStaffLabel reads the contact button's label: 1 to MaxStaffLabel characters.
func CheckStaffLabel(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", invalid("staff_label", "required", ptbr.TextStaffLabelRequired)
	case utf8.RuneCountInString(v) > MaxStaffLabel:
		return "", invalid("staff_label", "too_long", ptbr.TooLong("O texto do botão (limite do WhatsApp)", MaxStaffLabel))
	}
	return v, checkChars("staff_label", v, false)
}

// CheckRescheduleText reads the answer to a Reagendar tap; empty restores the default
// text. Line breaks are kept.
func CheckRescheduleText(raw string) (string, error) {
	v := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	if utf8.RuneCountInString(v) > MaxRescheduleText {
		return "", invalid("reschedule_text", "too_long", ptbr.TooLong("O texto de reagendamento", MaxRescheduleText))
	}
	return v, checkChars("reschedule_text", v, true)
}

// CheckTemplate reads the template picked for a message type.
func CheckTemplate(jobType string, ref domain.TemplateRef) (domain.TemplateRef, error) {
	field := "templates." + jobType
	if !slices.Contains(TemplateJobTypes, domain.JobType(jobType)) {
		return domain.TemplateRef{}, invalid(field, "invalid_value", ptbr.TextTemplateJobUnknown)
	}
	return checkTemplateRef(field, ref)
}

// CheckOpeningDay reads one weekday of the opening hours: closed with no hours, or
// open and close as HH:MM with close after open (a day past midnight is not taken).
func CheckOpeningDay(weekday string, d domain.OpeningDay) (domain.OpeningDay, error) {
	field := "opening_hours." + weekday
	if !slices.Contains(domain.Weekdays, weekday) {
		return domain.OpeningDay{}, invalid(field, "invalid_value", ptbr.TextWeekdayUnknown)
	}
	open, closing := strings.TrimSpace(d.Open), strings.TrimSpace(d.Close)
	if d.Closed {
		if open != "" || closing != "" {
			return domain.OpeningDay{}, invalid(field, "invalid_value", ptbr.TextClosedWithHours)
		}
		return domain.OpeningDay{Closed: true}, nil
	}
	for _, h := range []struct{ name, v string }{{"open", open}, {"close", closing}} {
		if h.v == "" {
			return domain.OpeningDay{}, invalid(field+"."+h.name, "required", ptbr.TextHoursRequired)
		}
		if !hourPattern.MatchString(h.v) {
			return domain.OpeningDay{}, invalid(field+"."+h.name, "invalid_time", ptbr.TextHourFormat)
		}
	}
	if closing <= open { // HH:MM strings order as times
		return domain.OpeningDay{}, invalid(field+".close", "invalid_value", ptbr.TextCloseBeforeOpen)
	}
	return domain.OpeningDay{Open: open, Close: closing}, nil
}

// CheckKeyLabel reads an API key's label (the booking system it is for).
func CheckKeyLabel(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", invalid("label", "required", ptbr.TextKeyLabelRequired)
	case utf8.RuneCountInString(v) > MaxKeyLabel:
		return "", invalid("label", "too_long", ptbr.TooLong("O nome da chave", MaxKeyLabel))
	}
	return v, checkChars("label", v, false)
}

// CheckTestRecipient reads the studio's test number for the dry-run mode
// (domain.Tenant.TestRecipient): empty (or blank) clears it; a number in E.164 form
// (domain.E164) is kept; a Brazilian number written with its area code, with or
// without the country code 55 and the trunk 0, in any mix of spaces, dots, dashes and
// parentheses ("(11) 98765-4321", "011 98765 4321", "55 11 98765-4321"), becomes E.164.
// Anything else is refused.
func CheckTestRecipient(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return "", nil
	}
	bad := invalid("studio_test_recipient", "invalid_phone", ptbr.TextTestRecipientInvalid)
	plus := strings.HasPrefix(v, "+")
	var digits strings.Builder
	for _, r := range strings.TrimPrefix(v, "+") {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case strings.ContainsRune(" .-()", r):
		default:
			return "", bad
		}
	}
	d := digits.String()
	if !plus {
		d = strings.TrimPrefix(d, "0") // the trunk prefix before the area code
		switch {
		case brazilianNational(d):
			d = "55" + d
		case strings.HasPrefix(d, "55") && brazilianNational(d[2:]):
		default:
			return "", bad
		}
	}
	e164 := "+" + d
	if !domain.E164.MatchString(e164) || (strings.HasPrefix(d, "55") && !brazilianNational(d[2:])) {
		return "", bad
	}
	return e164, nil
}

// brazilianNational reports whether d is a Brazilian number after the country code: a
// two-digit area code (11 to 99, no zero) and 8 digits (a landline, starting 2 to 5)
// or 9 digits (a mobile, starting 9).
func brazilianNational(d string) bool {
	if len(d) < 10 || d[0] == '0' || d[1] == '0' {
		return false
	}
	switch n := d[2:]; len(n) {
	case 8:
		return n[0] >= '2' && n[0] <= '5'
	case 9:
		return n[0] == '9'
	}
	return false
}

// SettingsPatch is a settings change as asked: a nil field (or a type or day not in
// the maps) is left as stored.
type SettingsPatch struct {
	Mode                                               *string
	KillSwitch                                         *bool
	TimeZone, LocationLine, StaffLabel, RescheduleText *string
	Templates                                          map[string]domain.TemplateRef
	OpeningHours                                       map[string]domain.OpeningDay
	// TestRecipient is the studio's test number ("" clears it).
	TestRecipient *string
	// SchedulePatch: the quiet hours and the reminder offsets (settings_schedule.go).
	SchedulePatch
	// OptOutPatch: the opt-out keywords and the strict window (settings_optout.go).
	OptOutPatch
}

// Empty reports whether the patch asks for nothing.
func (p SettingsPatch) Empty() bool {
	return p.Mode == nil && p.KillSwitch == nil && p.TimeZone == nil && p.LocationLine == nil &&
		p.StaffLabel == nil && p.RescheduleText == nil && len(p.Templates) == 0 && len(p.OpeningHours) == 0 &&
		p.TestRecipient == nil && p.SchedulePatch.Empty() && p.OptOutPatch.Empty()
}

// CheckedSettings is a settings patch its rules accepted: the Change for Apply, the
// opening hours and the test number (nil: left as stored; "": cleared).
type CheckedSettings struct {
	Change        Change
	OpeningHours  map[string]domain.OpeningDay
	TestRecipient *string
	CheckedSchedule
	CheckedOptOut
}

// CheckSettings runs each setting's rule over a patch, in a fixed order (the first
// problem is returned), and returns the checked values.
func CheckSettings(p SettingsPatch, env domain.Mode) (CheckedSettings, error) {
	var c Change
	if p.Mode != nil {
		m, err := CheckMode(*p.Mode, env)
		if err != nil {
			return CheckedSettings{}, err
		}
		c.Mode = &m
	}
	c.KillSwitch = p.KillSwitch
	texts := []struct {
		in    *string
		check func(string) (string, error)
		out   **string
	}{
		{p.TimeZone, CheckTimeZone, &c.TimeZone},
		{p.LocationLine, CheckLocationLine, &c.LocationLine},
		{p.StaffLabel, CheckStaffLabel, &c.StaffLabel},
		{p.RescheduleText, CheckRescheduleText, &c.RescheduleText},
	}
	for _, f := range texts {
		if f.in == nil {
			continue
		}
		v, err := f.check(*f.in)
		if err != nil {
			return CheckedSettings{}, err
		}
		*f.out = &v
	}
	for _, jt := range slices.Sorted(maps.Keys(p.Templates)) {
		ref, err := CheckTemplate(jt, p.Templates[jt])
		if err != nil {
			return CheckedSettings{}, err
		}
		if c.Templates == nil {
			c.Templates = map[string]domain.TemplateRef{}
		}
		c.Templates[jt] = ref
	}
	var hours map[string]domain.OpeningDay
	for _, day := range slices.Sorted(maps.Keys(p.OpeningHours)) {
		d, err := CheckOpeningDay(day, p.OpeningHours[day])
		if err != nil {
			return CheckedSettings{}, err
		}
		if hours == nil {
			hours = map[string]domain.OpeningDay{}
		}
		hours[day] = d
	}
	out := CheckedSettings{Change: c, OpeningHours: hours}
	if p.TestRecipient != nil {
		v, err := CheckTestRecipient(*p.TestRecipient)
		if err != nil {
			return CheckedSettings{}, err
		}
		out.TestRecipient = &v
	}
	sched, err := CheckSchedule(p.SchedulePatch)
	if err != nil {
		return CheckedSettings{}, err
	}
	out.CheckedSchedule = sched
	if out.CheckedOptOut, err = CheckOptOut(p.OptOutPatch); err != nil {
		return CheckedSettings{}, err
	}
	return out, nil
}

// SettingsMerge applies a checked change to the stored tenant (Apply, then the kill
// switch's who and when, the opening hours and the test number) and returns the tenant to store with
// an audit entry per field that changed, by and at now. A field set to what it
// already is gives no entry; no entries at all means nothing to store.
func SettingsMerge(stored *domain.Tenant, c CheckedSettings, by string, now time.Time) (*domain.Tenant, []store.SettingsAudit, error) {
	t, err := Apply(stored, stored.ID, c.Change, now)
	if err != nil {
		return nil, nil, err
	}
	hours := c.OpeningHours
	if len(hours) > 0 {
		t.OpeningHours = maps.Clone(stored.OpeningHours)
		if t.OpeningHours == nil {
			t.OpeningHours = map[string]domain.OpeningDay{}
		}
		maps.Copy(t.OpeningHours, hours)
	}
	if c.TestRecipient != nil {
		t.TestRecipient = *c.TestRecipient
	}
	var out []store.SettingsAudit
	add := func(field, old, new string) {
		if old != new {
			out = append(out, store.SettingsAudit{At: now.UTC(), By: by, Field: field, Old: old, New: new})
		}
	}
	if err := mergeSchedule(stored, t, c.CheckedSchedule, add); err != nil {
		return nil, nil, err
	}
	mergeOptOut(stored, t, c.CheckedOptOut, add)
	add("mode", string(stored.Mode), string(t.Mode))
	add("kill_switch", strconv.FormatBool(stored.KillSwitch), strconv.FormatBool(t.KillSwitch))
	if t.KillSwitch != stored.KillSwitch {
		t.KillSwitchBy, t.KillSwitchAt = by, now.UTC()
	}
	add("time_zone", stored.TimeZone, t.TimeZone)
	add("location_line", stored.LocationLine, t.LocationLine)
	add("staff_label", stored.StaffLabel, t.StaffLabel)
	add("reschedule_text", stored.RescheduleText, t.RescheduleText)
	add("studio_test_recipient", stored.TestRecipient, t.TestRecipient)
	for _, jt := range TemplateJobTypes {
		add("templates."+string(jt), templateText(stored.Templates[string(jt)]), templateText(t.Templates[string(jt)]))
	}
	for _, day := range domain.Weekdays {
		old, hadOld := stored.OpeningHours[day]
		cur, hasNew := t.OpeningHours[day]
		add("opening_hours."+day, dayText(old, hadOld), dayText(cur, hasNew))
	}
	return t, out, nil
}

// templateText is a template as the history shows it: "name (language)".
func templateText(ref domain.TemplateRef) string {
	if ref.Name == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s)", ref.Name, ref.Language)
}

// dayText is a day of the opening hours as the history shows it.
func dayText(d domain.OpeningDay, set bool) string {
	if !set {
		return ""
	}
	return ptbr.OpeningDayLabel(d, true)
}
