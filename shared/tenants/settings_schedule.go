package tenants

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// The schedule settings: the quiet hours (domain/quiet.go) and the reminder offsets
// with their templates (domain/offsets.go). SettingsPatch and CheckedSettings embed
// SchedulePatch and CheckedSchedule; SettingsMerge calls mergeSchedule.

// OffsetChoice is one reminder offset as the owner sets it, with its template (nil:
// keep the one configured).
type OffsetChoice struct {
	Minutes  int
	Template *domain.TemplateRef
}

// SchedulePatch is a change of the schedule settings: nil is left as stored.
type SchedulePatch struct {
	QuietHours             *domain.QuietHours
	ReminderOffsets        *[]OffsetChoice
	ServiceReminderOffsets *[]domain.ServiceOffsets
}

// Empty reports whether the patch asks for nothing.
func (p SchedulePatch) Empty() bool {
	return p.QuietHours == nil && p.ReminderOffsets == nil && p.ServiceReminderOffsets == nil
}

// CheckedSchedule is a schedule patch its rules accepted.
type CheckedSchedule struct {
	QuietHours             *domain.QuietHours
	ReminderOffsets        *[]int
	OffsetTemplates        map[string]domain.TemplateRef // by domain.ReminderTemplateKey
	ServiceReminderOffsets *[]domain.ServiceOffsets
}

// MaxServiceName is as the booking API's service (shared/booking).
const MaxServiceName = 120

// CheckQuietHours reads the quiet hours: start and end as HH:MM, different; the lead
// 0 to domain.MaxQuietLeadMinutes minutes. Off keeps the hours given (or the default's).
func CheckQuietHours(q domain.QuietHours) (domain.QuietHours, error) {
	q.Start, q.End = strings.TrimSpace(q.Start), strings.TrimSpace(q.End)
	if q.Off && q.Start == "" && q.End == "" {
		q.Start, q.End = domain.DefaultQuietHours.Start, domain.DefaultQuietHours.End
	}
	for _, h := range []struct{ name, v string }{{"start", q.Start}, {"end", q.End}} {
		if h.v == "" {
			return domain.QuietHours{}, invalid("quiet_hours."+h.name, "required", ptbr.TextQuietHoursRequired)
		}
		if _, ok := domain.ParseClock(h.v); !ok {
			return domain.QuietHours{}, invalid("quiet_hours."+h.name, "invalid_time", ptbr.TextHourFormat)
		}
	}
	if q.Start == q.End {
		return domain.QuietHours{}, invalid("quiet_hours.end", "invalid_value", ptbr.TextQuietHoursEqual)
	}
	if q.LeadMinutes < 0 || q.LeadMinutes > domain.MaxQuietLeadMinutes {
		return domain.QuietHours{}, invalid("quiet_hours.lead_minutes", "invalid_value", ptbr.TextQuietLead)
	}
	return q, nil
}

// CheckOffsets reads a set of reminder offsets (field names it in errors): 1 to
// domain.MaxReminderOffsets, each from domain.MinReminderMinutes to
// domain.MaxReminderMinutes minutes, no two alike; returned earliest reminder first.
func CheckOffsets(field string, minutes []int) ([]int, error) {
	if len(minutes) == 0 {
		return nil, invalid(field, "required", ptbr.TextOffsetsRequired)
	}
	if len(minutes) > domain.MaxReminderOffsets {
		return nil, invalid(field, "invalid_value", ptbr.OffsetsTooMany(domain.MaxReminderOffsets))
	}
	seen := map[int]bool{}
	for i, m := range minutes {
		f := field + "." + strconv.Itoa(i)
		if m < domain.MinReminderMinutes || m > domain.MaxReminderMinutes {
			return nil, invalid(f, "invalid_value", ptbr.OffsetOutOfRange(domain.MinReminderMinutes, domain.MaxReminderMinutes))
		}
		if seen[m] {
			return nil, invalid(f, "invalid_value", ptbr.OffsetRepeated(m))
		}
		seen[m] = true
	}
	return domain.NormalizeOffsets(minutes), nil
}

// checkTemplateRef reads a template named at field (field.name, field.language): a
// message type's, or a reminder offset's.
func checkTemplateRef(field string, ref domain.TemplateRef) (domain.TemplateRef, error) {
	name, lang := strings.TrimSpace(ref.Name), strings.TrimSpace(ref.Language)
	switch {
	case name == "":
		return domain.TemplateRef{}, invalid(field+".name", "required", ptbr.TextTemplateName)
	case len(name) > MaxTemplateName || !templateNamePattern.MatchString(name):
		return domain.TemplateRef{}, invalid(field+".name", "invalid_value", ptbr.TextTemplateName)
	case lang == "":
		return domain.TemplateRef{}, invalid(field+".language", "required", ptbr.TextTemplateLanguage)
	case !templateLanguagePattern.MatchString(lang):
		return domain.TemplateRef{}, invalid(field+".language", "invalid_value", ptbr.TextTemplateLanguage)
	}
	return domain.TemplateRef{Name: name, Language: lang}, nil
}

// CheckSchedule runs the schedule settings' rules over a patch.
func CheckSchedule(p SchedulePatch) (CheckedSchedule, error) {
	var c CheckedSchedule
	if p.QuietHours != nil {
		q, err := CheckQuietHours(*p.QuietHours)
		if err != nil {
			return CheckedSchedule{}, err
		}
		c.QuietHours = &q
	}
	if p.ReminderOffsets != nil {
		choices := *p.ReminderOffsets
		minutes := make([]int, len(choices))
		for i, ch := range choices {
			minutes[i] = ch.Minutes
		}
		set, err := CheckOffsets("reminder_offsets", minutes)
		if err != nil {
			return CheckedSchedule{}, err
		}
		for i, ch := range choices {
			if ch.Template == nil {
				continue
			}
			ref, err := checkTemplateRef("reminder_offsets."+strconv.Itoa(i)+".template", *ch.Template)
			if err != nil {
				return CheckedSchedule{}, err
			}
			if c.OffsetTemplates == nil {
				c.OffsetTemplates = map[string]domain.TemplateRef{}
			}
			c.OffsetTemplates[domain.ReminderTemplateKey(ch.Minutes)] = ref
		}
		c.ReminderOffsets = &set
	}
	if p.ServiceReminderOffsets != nil {
		in := *p.ServiceReminderOffsets
		if len(in) > domain.MaxServiceOffsets {
			return CheckedSchedule{}, invalid("service_reminder_offsets", "invalid_value", ptbr.ServiceOffsetsTooMany(domain.MaxServiceOffsets))
		}
		out := []domain.ServiceOffsets{}
		for i, so := range in {
			f := "service_reminder_offsets." + strconv.Itoa(i)
			name := strings.Join(strings.Fields(so.Service), " ")
			switch {
			case name == "":
				return CheckedSchedule{}, invalid(f+".service", "required", ptbr.TextServiceRequired)
			case utf8.RuneCountInString(name) > MaxServiceName:
				return CheckedSchedule{}, invalid(f+".service", "too_long", ptbr.TooLong("O nome do serviço", MaxServiceName))
			}
			if err := checkChars(f+".service", name, false); err != nil {
				return CheckedSchedule{}, err
			}
			if slices.ContainsFunc(out, func(o domain.ServiceOffsets) bool { return domain.SameService(o.Service, name) }) {
				return CheckedSchedule{}, invalid(f+".service", "invalid_value", ptbr.ServiceRepeated(name))
			}
			set, err := CheckOffsets(f+".minutes", so.Minutes)
			if err != nil {
				return CheckedSchedule{}, err
			}
			out = append(out, domain.ServiceOffsets{Service: name, Minutes: set})
		}
		c.ServiceReminderOffsets = &out
	}
	return c, nil
}

// MissingOffsetTemplate returns the first offset the tenant uses (its own set, then each
// service's) that has no template configured, with the field to name in the error.
func MissingOffsetTemplate(t *domain.Tenant) (field string, minutes int, missing bool) {
	check := func(field string, set []int) (string, int, bool) {
		for _, m := range set {
			if ref := t.Templates[domain.ReminderTemplateKey(m)]; ref.Name == "" || ref.Language == "" {
				return field, m, true
			}
		}
		return "", 0, false
	}
	if f, m, ok := check("reminder_offsets", t.ReminderOffsets); ok {
		return f, m, true
	}
	for i, so := range t.ServiceReminderOffsets {
		if f, m, ok := check("service_reminder_offsets."+strconv.Itoa(i)+".minutes", so.Minutes); ok {
			return f, m, true
		}
	}
	return "", 0, false
}

// offsetsText is a set of offsets as the history shows it: "48 horas, 2 horas".
func offsetsText(set []int) string {
	parts := make([]string, len(set))
	for i, m := range set {
		parts[i] = ptbr.OffsetDuration(m)
	}
	return strings.Join(parts, ", ")
}

func quietText(q *domain.QuietHours) string {
	if q == nil {
		return ""
	}
	return fmt.Sprintf("%s, mínimo de %s antes", ptbr.QuietHoursLabel(*q), ptbr.OffsetDuration(q.LeadMinutes))
}

func serviceOffsetsText(list []domain.ServiceOffsets) string {
	parts := make([]string, len(list))
	for i, so := range list {
		parts[i] = so.Service + ": " + offsetsText(so.Minutes)
	}
	return strings.Join(parts, "; ")
}

// mergeSchedule applies a checked schedule change to t (a copy of stored whose
// Templates map is its own, from Apply), refuses an offset left without a template
// (nothing is stored then), and lists each changed field through add.
func mergeSchedule(stored, t *domain.Tenant, c CheckedSchedule, add func(field, old, new string)) error {
	if c.QuietHours != nil {
		q := *c.QuietHours
		t.QuietHours = &q
	}
	if c.ReminderOffsets != nil {
		t.ReminderOffsets = slices.Clone(*c.ReminderOffsets)
		if slices.Equal(t.ReminderOffsets, domain.DefaultReminderOffsets) && len(stored.ReminderOffsets) == 0 {
			t.ReminderOffsets = nil // the default, as before
		}
	}
	if c.ServiceReminderOffsets != nil {
		t.ServiceReminderOffsets = slices.Clone(*c.ServiceReminderOffsets)
		if len(t.ServiceReminderOffsets) == 0 {
			t.ServiceReminderOffsets = nil
		}
	}
	if len(c.OffsetTemplates) > 0 && t.Templates == nil {
		t.Templates = map[string]domain.TemplateRef{}
	}
	for key, ref := range c.OffsetTemplates {
		t.Templates[key] = ref
	}
	if field, m, missing := MissingOffsetTemplate(t); missing && (c.ReminderOffsets != nil || c.ServiceReminderOffsets != nil) {
		return invalid(field, "required", ptbr.OffsetTemplateMissing(m))
	}
	if c.QuietHours != nil {
		old := stored.QuietHours
		if old == nil {
			d := domain.DefaultQuietHours
			old = &d
		}
		add("quiet_hours", quietText(old), quietText(t.QuietHours))
	}
	add("reminder_offsets", offsetsText(stored.ReminderOffsetsFor("")), offsetsText(t.ReminderOffsetsFor("")))
	add("service_reminder_offsets", serviceOffsetsText(stored.ServiceReminderOffsets), serviceOffsetsText(t.ServiceReminderOffsets))
	for _, key := range slices.Sorted(maps.Keys(c.OffsetTemplates)) {
		if key == string(domain.JobReminder) {
			continue // the 24-hour one is templates.appointment_reminder, listed by SettingsMerge
		}
		add("templates."+key, templateText(stored.Templates[key]), templateText(t.Templates[key]))
	}
	return nil
}
