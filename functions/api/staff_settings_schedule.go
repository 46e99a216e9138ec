package api

import (
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/tenants"
)

// The schedule settings in GET and PATCH /v1/staff/settings: the quiet hours and the
// reminder offsets with their templates (shared/tenants/settings_schedule.go).

// QuietHoursSetting is the studio's quiet hours.
type QuietHoursSetting struct {
	Off         bool   `json:"off"`
	Start       string `json:"start"` // HH:MM
	End         string `json:"end"`   // HH:MM; before start: across midnight
	LeadMinutes int    `json:"lead_minutes"`
	Label       string `json:"label"`   // "21:00 às 08:00", "Desligado"
	Default     bool   `json:"default"` // never set: the default 21:00 to 08:00
}

// ReminderOffsetSetting is one reminder of the studio's set, with its template.
type ReminderOffsetSetting struct {
	Minutes     int    `json:"minutes"` // before the appointment
	Label       string `json:"label"`   // "Lembrete de 2 horas"
	TemplateKey string `json:"template_key"`
	Name        string `json:"name"` // "": none configured
	Language    string `json:"language"`
	StatusLabel string `json:"status_label"`
	Sendable    bool   `json:"sendable"`
}

// ServiceOffsetsSetting is a service's own set of reminders.
type ServiceOffsetsSetting struct {
	Service string `json:"service"`
	Minutes []int  `json:"minutes"`
	Label   string `json:"label"` // "48 horas, 2 horas"
}

// QuietHoursChange sets the quiet hours.
type QuietHoursChange struct {
	Off         bool   `json:"off,omitempty"`
	Start       string `json:"start,omitempty"`
	End         string `json:"end,omitempty"`
	LeadMinutes int    `json:"lead_minutes,omitempty"`
}

// ReminderOffsetChange is one reminder of the set; Template nil keeps its template.
type ReminderOffsetChange struct {
	Minutes  int             `json:"minutes"`
	Template *TemplateChange `json:"template,omitempty"`
}

// ServiceOffsetsChange is a service's own set of reminders.
type ServiceOffsetsChange struct {
	Service string `json:"service"`
	Minutes []int  `json:"minutes"`
}

// scheduleSettings fills the response's schedule settings.
func scheduleSettings(t *domain.Tenant, out *SettingsResponse) {
	q := t.Quiet()
	out.QuietHours = QuietHoursSetting{Off: q.Off, Start: q.Start, End: q.End, LeadMinutes: q.LeadMinutes,
		Label: ptbr.QuietHoursLabel(q), Default: t.QuietHours == nil}
	out.ReminderOffsets = []ReminderOffsetSetting{}
	for _, m := range t.ReminderOffsetsFor("") {
		out.ReminderOffsets = append(out.ReminderOffsets, offsetSetting(t, m))
	}
	out.ServiceReminderOffsets = []ServiceOffsetsSetting{}
	for _, so := range t.ServiceReminderOffsets {
		labels := ""
		for i, m := range so.Minutes {
			if i > 0 {
				labels += ", "
			}
			labels += ptbr.OffsetDuration(m)
		}
		out.ServiceReminderOffsets = append(out.ServiceReminderOffsets, ServiceOffsetsSetting{Service: so.Service, Minutes: so.Minutes, Label: labels})
	}
}

func offsetSetting(t *domain.Tenant, m int) ReminderOffsetSetting {
	key := domain.ReminderTemplateKey(m)
	ref := t.Templates[key]
	s := ReminderOffsetSetting{Minutes: m, Label: ptbr.ReminderLabel(m), TemplateKey: key, Name: ref.Name, Language: ref.Language}
	if ref.Name == "" || ref.Language == "" {
		s.StatusLabel = ptbr.Reason(domain.ReasonTemplateMissing).Text
		return s
	}
	st, sendable := t.TemplateApproved(ref)
	s.StatusLabel, s.Sendable = ptbr.TemplateStatusLabel(st.Status), sendable
	return s
}

// schedulePatch turns the request's schedule settings into shared/tenants' terms.
func schedulePatch(req SettingsRequest) tenants.SchedulePatch {
	var p tenants.SchedulePatch
	if q := req.QuietHours; q != nil {
		p.QuietHours = &domain.QuietHours{Off: q.Off, Start: q.Start, End: q.End, LeadMinutes: q.LeadMinutes}
	}
	if req.ReminderOffsets != nil {
		choices := make([]tenants.OffsetChoice, len(*req.ReminderOffsets))
		for i, o := range *req.ReminderOffsets {
			choices[i].Minutes = o.Minutes
			if o.Template != nil {
				choices[i].Template = &domain.TemplateRef{Name: o.Template.Name, Language: o.Template.Language}
			}
		}
		p.ReminderOffsets = &choices
	}
	if req.ServiceReminderOffsets != nil {
		list := make([]domain.ServiceOffsets, len(*req.ServiceReminderOffsets))
		for i, so := range *req.ServiceReminderOffsets {
			list[i] = domain.ServiceOffsets{Service: so.Service, Minutes: so.Minutes}
		}
		p.ServiceReminderOffsets = &list
	}
	return p
}
