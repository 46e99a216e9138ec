package domain

import (
	"fmt"
	"testing"
)

func TestTemplateApproved(t *testing.T) {
	ref := TemplateRef{Name: "aviso", Language: "pt_BR"}
	cases := map[string]bool{
		"": true, "APPROVED": true, "REINSTATED": true, "FLAGGED": true, "LOCKED": true,
		"PAUSED": false, "DISABLED": false, "REJECTED": false, "PENDING": false, "IN_APPEAL": false,
		"PENDING_DELETION": false, "DELETED": false, "ARCHIVED": false, "LIMIT_EXCEEDED": false, "SOMETHING_NEW": false,
	}
	for status, want := range cases {
		ten := &Tenant{TemplateStatuses: map[string]TemplateStatus{TemplateKey(ref.Name, ref.Language): {Status: status}}}
		if _, ok := ten.TemplateApproved(ref); ok != want {
			t.Errorf("status %q: sendable %v, want %v", status, ok, want)
		}
	}
	if _, ok := (&Tenant{}).TemplateApproved(ref); !ok {
		t.Error("a template Meta never reported on is refused")
	}
}

func TestTemplateEventsKeepTheirOwnParts(t *testing.T) {
	ref := TemplateRef{Name: "aviso", Language: "pt_BR"}
	type step struct {
		kind    string // status, quality, category
		a, b, c string
		sec     int
		applied bool
	}
	cases := []struct {
		name     string
		steps    []step
		status   string
		quality  string
		category string
		sendable bool
	}{
		{"quality alone leaves the template sendable", []step{{"quality", "GREEN", "RED", "", 5, true}}, "", "RED", "", true},
		{"quality after a pause keeps the pause", []step{{"status", "PAUSED", "NONE", "", 5, true}, {"quality", "RED", "YELLOW", "", 9, true}}, "PAUSED", "YELLOW", "", false},
		{"an older quality event is ignored", []step{{"quality", "", "RED", "", 9, true}, {"quality", "", "GREEN", "", 5, false}}, "", "RED", "", true},
		// A newer quality event does not hold back an older status event (each part has its own time).
		{"older status after newer quality", []step{{"quality", "", "RED", "", 9, true}, {"status", "PAUSED", "", "", 5, true}}, "PAUSED", "RED", "", false},
		{"category change", []step{{"status", "APPROVED", "", "UTILITY", 1, true}, {"category", "UTILITY", "MARKETING", "", 5, true}}, "APPROVED", "", "MARKETING", true},
		{"category announcement", []step{{"category", "", "UTILITY", "MARKETING", 5, true}}, "", "", "UTILITY", true},
		{"older category event ignored", []step{{"category", "UTILITY", "MARKETING", "", 5, true}, {"category", "MARKETING", "UTILITY", "", 4, false}}, "", "", "MARKETING", true},
		{"paused then unpaused", []step{{"status", "PAUSED", "", "", 5, true}, {"status", "APPROVED", "", "", 6, true}}, "APPROVED", "", "", true},
		{"older status ignored", []step{{"status", "DISABLED", "", "", 6, true}, {"status", "APPROVED", "", "", 5, false}}, "DISABLED", "", "", false},
	}
	for _, c := range cases {
		ten := &Tenant{}
		for i, s := range c.steps {
			var got bool
			switch s.kind {
			case "status":
				got = ten.ApplyTemplateStatus(ref.Name, ref.Language, s.a, s.b, s.c, at(s.sec))
			case "quality":
				got = ten.ApplyTemplateQuality(ref.Name, ref.Language, s.a, s.b, at(s.sec))
			case "category":
				got = ten.ApplyTemplateCategory(ref.Name, ref.Language, CategoryUpdate{Previous: s.a, New: s.b, Correct: s.c, When: at(s.sec + 86400)}, at(s.sec))
			}
			if got != s.applied {
				t.Errorf("%s: step %d applied %v, want %v", c.name, i, got, s.applied)
			}
		}
		st, ok := ten.TemplateApproved(ref)
		if st.Status != c.status || st.Quality != c.quality || st.Category != c.category || ok != c.sendable {
			t.Errorf("%s: status %q quality %q category %q sendable %v; want %q %q %q %v",
				c.name, st.Status, st.Quality, st.Category, ok, c.status, c.quality, c.category, c.sendable)
		}
	}
}

func TestTemplateCategoryChangeKeepsItsDate(t *testing.T) {
	ten := &Tenant{}
	ten.ApplyTemplateCategory("aviso", "pt_BR", CategoryUpdate{New: "UTILITY", Correct: "MARKETING", When: at(86400)}, at(0))
	st := ten.TemplateStatuses[TemplateKey("aviso", "pt_BR")]
	if st.PendingCategory != "MARKETING" || !st.PendingCategoryAt.Equal(at(86400)) {
		t.Fatalf("announcement: %+v", st)
	}
	ten.ApplyTemplateCategory("aviso", "pt_BR", CategoryUpdate{Previous: "UTILITY", New: "MARKETING"}, at(86400))
	st = ten.TemplateStatuses[TemplateKey("aviso", "pt_BR")]
	if st.Category != "MARKETING" || st.PreviousCategory != "UTILITY" || !st.CategoryChangedAt.Equal(at(86400)) || st.PendingCategory != "" {
		t.Errorf("change: %+v", st)
	}
}

func TestTemplateStatusesAreBounded(t *testing.T) {
	ten := &Tenant{Templates: map[string]TemplateRef{string(JobCreated): {Name: "aviso", Language: "pt_BR"}}}
	for i := range MaxTemplateStatuses + 50 {
		ten.ApplyTemplateQuality(fmt.Sprintf("other_%d", i), "pt_BR", "", "GREEN", at(i))
	}
	if len(ten.TemplateStatuses) != MaxTemplateStatuses {
		t.Fatalf("%d template records", len(ten.TemplateStatuses))
	}
	// The tenant's own template is still recorded, and known ones still update.
	if !ten.ApplyTemplateStatus("aviso", "pt_BR", "PAUSED", "", "", at(1)) {
		t.Error("the tenant's configured template was not recorded when the map is full")
	}
	if !ten.ApplyTemplateQuality("other_0", "pt_BR", "GREEN", "RED", at(999)) {
		t.Error("a known template was not updated when the map is full")
	}
	if ten.ApplyTemplateQuality("other_999", "pt_BR", "", "RED", at(999)) {
		t.Error("an unknown template was added beyond the bound")
	}
}
