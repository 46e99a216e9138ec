package api

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/web"
)

func TestDrainSelection(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	days := func(n int) *int { return &n }
	for _, tc := range []struct {
		name         string
		types        []string
		older        *int
		phone        string
		statuses     []string
		wantTypes    []domain.JobType
		wantStatuses []domain.JobStatus
		wantBefore   time.Time
		wantPhone    string
		field        string // a 400 on this field
	}{
		{name: "defaults", wantStatuses: []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobUnknown}},
		{name: "every pending job older than 30 days", older: days(30), statuses: []string{"pending"},
			wantStatuses: []domain.JobStatus{domain.JobPending}, wantBefore: now.Add(-30 * 24 * time.Hour)},
		{name: "types once each", types: []string{"appointment_reminder", "appointment_reminder", "button_reply"},
			wantTypes:    []domain.JobType{domain.JobReminder, domain.JobReply},
			wantStatuses: []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobUnknown}},
		{name: "one client", phone: " +5511987654321 ", statuses: []string{"sending", "unknown"}, wantPhone: "+5511987654321",
			wantStatuses: []domain.JobStatus{domain.JobSending, domain.JobUnknown}},
		{name: "zero days: everything due", older: days(0), wantBefore: now,
			wantStatuses: []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobUnknown}},
		{name: "unknown type", types: []string{"marketing"}, field: "types"},
		{name: "a final status", statuses: []string{"sent"}, field: "statuses"},
		{name: "failed jobs are not the queue", statuses: []string{"failed"}, field: "statuses"},
		{name: "negative days", older: days(-1), field: "older_than_days"},
		{name: "too many days", older: days(3651), field: "older_than_days"},
		{name: "a phone not in E.164", phone: "11987654321", field: "client_phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := DrainSelection(tc.types, tc.older, tc.phone, tc.statuses, now)
			if tc.field != "" {
				var we *web.Error
				if !errors.As(err, &we) || we.Status != 400 || we.Field != tc.field {
					t.Fatalf("err = %v, want a 400 on %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sel.Types, tc.wantTypes) || !slices.Equal(sel.Statuses, tc.wantStatuses) || !sel.Before.Equal(tc.wantBefore) || sel.ClientPhone != tc.wantPhone {
				t.Fatalf("selection %+v", sel)
			}
		})
	}
}

// The owner's operations are owner-only routes.
func TestStaffOpsRoutesAreOwnerOnly(t *testing.T) {
	routes := (&server{}).staffOpsRoutes()
	if len(routes) != 4 {
		t.Fatalf("%d routes", len(routes))
	}
	for _, rt := range routes {
		if !slices.Equal(rt.roles, []domain.StaffRole{domain.RoleOwner}) || rt.staff == nil {
			t.Errorf("%s: roles %v", rt.pattern, rt.roles)
		}
	}
}

// Every action's timeline event has its Portuguese label.
func TestActionEventsHaveLabels(t *testing.T) {
	for _, a := range dispatch.Actions {
		if l := TimelineLabel(dispatch.ActionEvent(a)); strings.HasPrefix(l, "Evento") || !strings.Contains(l, "responsável") {
			t.Errorf("%s: label %q", a, l)
		}
	}
}
