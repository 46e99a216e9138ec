package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

var ruleNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestReminderJob(t *testing.T) {
	cases := []struct {
		name     string
		startsIn time.Duration
		status   domain.JobStatus
		reason   string
	}{
		{"two days ahead: pending for 24 h before", 48 * time.Hour, domain.JobPending, ""},
		{"just over 24 h ahead: pending", 24*time.Hour + time.Minute, domain.JobPending, ""},
		{"exactly 24 h ahead: its moment is now, too late", 24 * time.Hour, domain.JobSkipped, domain.ReasonReminderTooLate},
		{"booked for this afternoon: no 24-hour reminder", 3 * time.Hour, domain.JobSkipped, domain.ReasonReminderTooLate},
	}
	for _, c := range cases {
		apt := &domain.Appointment{ID: "apt_1", TenantID: "t", StartsAt: ruleNow.Add(c.startsIn), ScheduleVersion: 2}
		j := reminderJobs(&domain.Tenant{}, apt, ruleNow)[0] // the default: one 24-hour reminder
		if j.Status != c.status || j.ReasonCode != c.reason {
			t.Errorf("%s: %s %q", c.name, j.Status, j.ReasonCode)
		}
		if j.ID != domain.JobID("apt_1", domain.JobReminder, 2) || !j.ScheduledFor.Equal(apt.StartsAt.Add(-ReminderLead)) ||
			!j.AppointmentStartsAt.Equal(apt.StartsAt) || j.ScheduleVersion != 2 {
			t.Errorf("%s: id %s, at %v, starts %v, version %d", c.name, j.ID, j.ScheduledFor, j.AppointmentStartsAt, j.ScheduleVersion)
		}
		if c.status == domain.JobSkipped && j.Reason == "" {
			t.Errorf("%s: skipped without a Portuguese reason", c.name)
		}
	}
}

// The cancellation notice's window checks, in their order: a correlated message with
// no time (cannot check), no correlated message, one older than 24 h, else open.
func TestCancellationNoticeWindow(t *testing.T) {
	ten := &domain.Tenant{ID: "t", Name: "Studio Jana", TimeZone: "America/Sao_Paulo"}
	cases := []struct {
		name      string
		inbound   time.Time
		inboundID string
		status    domain.JobStatus
		reason    string
		contains  string
	}{
		{"a message id without its time: the check fails, said so", time.Time{}, "wamid.x", domain.JobSkipped, domain.ReasonWindowCheckFailed, "não tem horário"},
		{"no correlated message", time.Time{}, "", domain.JobSkipped, domain.ReasonWindowNoInbound, "não respondeu"},
		{"the last one 26 h ago, shown in São Paulo time", ruleNow.Add(-26 * time.Hour), "wamid.y", domain.JobSkipped, domain.ReasonWindowExpired, "30/11/2026 07:00"},
		{"the last one an hour ago: the notice may go", ruleNow.Add(-time.Hour), "wamid.z", domain.JobPending, "", ""},
	}
	for _, c := range cases {
		apt := &domain.Appointment{ID: "apt_1", TenantID: "t", ClientName: "Maria Souza", ClientPhone: "+5511987654321",
			Service: "Manicure", StartsAt: ruleNow.Add(48 * time.Hour), LastInboundAt: c.inbound, LastInboundID: c.inboundID}
		j := cancellationNotice(ten, apt, ruleNow)
		if j.Status != c.status || j.ReasonCode != c.reason || !strings.Contains(j.Reason, c.contains) {
			t.Errorf("%s: %s %s %q", c.name, j.Status, j.ReasonCode, j.Reason)
		}
		if j.DeliveryMode != domain.DeliverySession || j.Recipient != apt.ClientPhone || !strings.Contains(j.Text, "Maria") ||
			!strings.Contains(j.Text, "03/12/2026") || !j.WindowInboundAt.Equal(c.inbound) {
			t.Errorf("%s: notice %s to %s, %q, window at %v", c.name, j.DeliveryMode, j.Recipient, j.Text, j.WindowInboundAt)
		}
	}
}
