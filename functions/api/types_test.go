package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

var saoPaulo = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	return loc
}()

func tm(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fullAppointment has every stored field set, internal ones included.
func fullAppointment() *domain.Appointment {
	return &domain.Appointment{
		ID: "apt_0123456789abcdef01234567", TenantID: "studio-jana", ExternalID: "agenda-1001",
		ClientName: "Maria Souza", ClientPhone: "+5511987654321", Service: "Design de sobrancelhas",
		Location: "Rua A, 10", StartsAt: tm("2026-12-10T14:00:00-03:00"), Status: domain.AppointmentConfirmed,
		ScheduleVersion: 2, VoucherToken: "tok3n", CanceledAt: tm("2026-12-03T10:00:00Z"),
		ConfirmedAt: tm("2026-12-02T10:00:00Z"), LastInboundAt: tm("2026-12-02T09:59:00Z"),
		LastInboundID: "wamid.inbound", StaffFlag: "talk_requested", StaffFlagAt: tm("2026-12-02T11:00:00Z"),
		CreatedAt: tm("2026-12-01T10:00:00Z"), UpdatedAt: tm("2026-12-03T10:00:00Z"),
	}
}

// fullJob has every stored field set, internal ones included.
func fullJob() *domain.Job {
	return &domain.Job{
		ID: "apt_x-appointment_reminder-v2", TenantID: "studio-jana", AppointmentID: "apt_x",
		Type: domain.JobReminder, Status: domain.JobRead, ScheduledFor: tm("2026-12-09T17:00:00Z"),
		ScheduleVersion: 2, AppointmentStartsAt: tm("2026-12-10T17:00:00Z"),
		WindowInboundAt: tm("2026-12-09T16:00:00Z"), WindowInboundID: "wamid.window",
		Attempts:        []domain.Attempt{{N: 1, At: tm("2026-12-09T17:00:01Z"), Outcome: "retry", HTTPStatus: 500, ErrorCode: 131000, Error: "meta: HTTP 500"}, {N: 4, At: tm("2026-12-09T17:10:00Z"), Outcome: "sent"}},
		AttemptsOmitted: 2, NextRetryAt: tm("2026-12-09T17:20:00Z"), LeaseUntil: tm("2026-12-09T17:11:00Z"),
		DeliveryMode: domain.DeliveryTemplate, TemplateName: "lembrete", TemplateLanguage: "pt_BR",
		Recipient: "+5511987654321", ProviderMessageID: "wamid.sent", ProviderStatus: "read",
		SentAt: tm("2026-12-09T17:10:00Z"), ReasonCode: "meta_error", Reason: "Falhou", ErrorCode: 131047,
		Text: "Olá", InboundID: "wamid.button",
		ProviderStatusTimes: map[string]time.Time{"sent": tm("2026-12-09T14:10:00-03:00"), "read": tm("2026-12-09T17:12:00Z")},
		ErrorTitle:          "Re-engagement message", ErrorDetails: "more than 24 hours",
		Pricing:         &domain.Pricing{Billable: true, Model: "PMP", Category: "utility", Type: "regular", ConversationID: "c1", ConversationOrigin: "utility"},
		DryRunRequest:   `{"to":"+5511987654321"}`,
		Timeline:        []domain.TimelineEntry{{At: tm("2026-12-09T17:00:00Z"), Event: "created"}, {At: tm("2026-12-09T17:12:00Z"), Event: "read", Detail: "lida"}},
		TimelineOmitted: 3, CreatedAt: tm("2026-12-01T10:00:00Z"), UpdatedAt: tm("2026-12-09T17:12:00Z"),
	}
}

// TestAppointmentResponse converts stored appointments and jobs to the API's answer
// and compares the JSON a client reads, field by field.
func TestAppointmentResponse(t *testing.T) {
	cases := []struct {
		name    string
		apt     *domain.Appointment
		jobs    []*domain.Job
		voucher string
		want    string
	}{{
		name: "every field set: internal ones are left out", apt: fullAppointment(), jobs: []*domain.Job{fullJob()},
		voucher: "https://v.example/v",
		want: `{"appointment":{"id":"apt_0123456789abcdef01234567","external_id":"agenda-1001","client_name":"Maria Souza",
			"client_phone":"+5511987654321","service":"Design de sobrancelhas","location":"Rua A, 10",
			"starts_at":"2026-12-10T17:00:00Z","starts_at_local":"2026-12-10T14:00:00-03:00","status":"confirmed",
			"schedule_version":2,"voucher_url":"https://v.example/v/tok3n","confirmed_at":"2026-12-02T10:00:00Z",
			"canceled_at":"2026-12-03T10:00:00Z","staff_flag":"talk_requested","staff_flag_at":"2026-12-02T11:00:00Z",
			"last_inbound_at":"2026-12-02T09:59:00Z","created_at":"2026-12-01T10:00:00Z","updated_at":"2026-12-03T10:00:00Z"},
		"jobs":[{"id":"apt_x-appointment_reminder-v2","appointment_id":"apt_x","type":"appointment_reminder","status":"read",
			"scheduled_for":"2026-12-09T17:00:00Z","schedule_version":2,"window_inbound_at":"2026-12-09T16:00:00Z",
			"delivery_mode":"template","template_name":"lembrete","template_language":"pt_BR","recipient":"+5511987654321","text":"Olá",
			"attempts":[{"n":1,"at":"2026-12-09T17:00:01Z","outcome":"retry","http_status":500,"error_code":131000,"error":"meta: HTTP 500"},
				{"n":4,"at":"2026-12-09T17:10:00Z","outcome":"sent"}],
			"attempts_omitted":2,"attempt_count":4,"next_retry_at":"2026-12-09T17:20:00Z",
			"provider_status":"read","provider_status_times":{"sent":"2026-12-09T17:10:00Z","read":"2026-12-09T17:12:00Z"},
			"sent_at":"2026-12-09T17:10:00Z",
			"pricing":{"billable":true,"model":"PMP","category":"utility","type":"regular","conversation_id":"c1","conversation_origin":"utility"},
			"reason_code":"meta_error","reason":"Falhou","error_code":131047,"error_title":"Re-engagement message","error_details":"more than 24 hours",
			"dry_run_request":"{\"to\":\"+5511987654321\"}",
			"timeline":[{"at":"2026-12-09T17:00:00Z","event":"created"},{"at":"2026-12-09T17:12:00Z","event":"read","detail":"lida"}],
			"timeline_omitted":3,"created_at":"2026-12-01T10:00:00Z","updated_at":"2026-12-09T17:12:00Z"}]}`,
	}, {
		name: "a new appointment: optional fields left out, lists empty, not null",
		apt: &domain.Appointment{ID: "apt_1", TenantID: "t", ExternalID: "e", ClientName: "Ana", ClientPhone: "+5511900000000",
			Service: "Corte", Location: "Rua B", StartsAt: tm("2026-06-01T12:00:00Z"), Status: domain.AppointmentScheduled,
			ScheduleVersion: 1, VoucherToken: "tok", CreatedAt: tm("2026-05-01T12:00:00Z"), UpdatedAt: tm("2026-05-01T12:00:00Z")},
		jobs: []*domain.Job{{ID: "apt_1-appointment_created", TenantID: "t", AppointmentID: "apt_1", Type: domain.JobCreated,
			Status: domain.JobQueued, ScheduledFor: tm("2026-05-01T12:00:00Z"), CreatedAt: tm("2026-05-01T12:00:00Z"), UpdatedAt: tm("2026-05-01T12:00:00Z")}},
		voucher: "",
		want: `{"appointment":{"id":"apt_1","external_id":"e","client_name":"Ana","client_phone":"+5511900000000","service":"Corte",
			"location":"Rua B","starts_at":"2026-06-01T12:00:00Z","starts_at_local":"2026-06-01T09:00:00-03:00","status":"scheduled",
			"schedule_version":1,"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"},
		"jobs":[{"id":"apt_1-appointment_created","appointment_id":"apt_1","type":"appointment_created","status":"queued",
			"scheduled_for":"2026-05-01T12:00:00Z","schedule_version":0,"attempts":[],"attempt_count":0,"timeline":[],
			"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"}]}`,
	}, {
		name: "no jobs: an empty list", apt: &domain.Appointment{ID: "apt_2", StartsAt: tm("2026-06-01T12:00:00Z"), VoucherToken: "t2"},
		voucher: "https://v.example/v",
		want: `{"appointment":{"id":"apt_2","external_id":"","client_name":"","client_phone":"","service":"","location":"",
			"starts_at":"2026-06-01T12:00:00Z","starts_at_local":"2026-06-01T09:00:00-03:00","status":"","schedule_version":0,
			"voucher_url":"https://v.example/v/t2","created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"},"jobs":[]}`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := json.Marshal(NewAppointmentResponse(c.apt, c.jobs, saoPaulo, c.voucher))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(c.want), &w); err != nil {
				t.Fatalf("want: %v", err)
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got  %s\nwant %s", got, strings.Join(strings.Fields(c.want), ""))
			}
		})
	}
}

// TestAppointmentResponseLeavesOutInternals: no stored secret or internal key reaches
// the answer, by name or by value.
func TestAppointmentResponseLeavesOutInternals(t *testing.T) {
	b, err := json.Marshal(NewAppointmentResponse(fullAppointment(), []*domain.Job{fullJob()}, saoPaulo, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{
		`"voucher_token"`, `"tenant_id"`, `"lease_until"`, `"provider_message_id"`, `"last_inbound_id"`,
		`"window_inbound_id"`, `"inbound_id"`, `"appointment_starts_at"`,
		"tok3n", "studio-jana", "wamid.",
	} {
		if strings.Contains(string(b), leak) {
			t.Errorf("answer holds %s: %s", leak, b)
		}
	}
}
