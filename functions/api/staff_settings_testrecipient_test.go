package api

import (
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
)

// The studio's test number: shown apart from the environment's, taken from the
// request, and its timeline event named in Portuguese.
func TestStudioTestRecipientSetting(t *testing.T) {
	tn := &domain.Tenant{ID: "jana", Mode: domain.ModeDryRun, TestRecipient: "+5511912345678"}
	v := NewSettingsResponse(tn, domain.ModeEnabled, true, "+5511900000000", true)
	if v.StudioTestRecipient != "+5511912345678" || v.TestRecipient != "+5511900000000" {
		t.Errorf("studio %q, environment %q", v.StudioTestRecipient, v.TestRecipient)
	}
	clear := ""
	if p := settingsPatch(SettingsRequest{StudioTestRecipient: &clear}); p.TestRecipient == nil || *p.TestRecipient != "" || p.Empty() {
		t.Errorf("patch %+v", p)
	}
	if p := settingsPatch(SettingsRequest{}); p.TestRecipient != nil {
		t.Errorf("a request without the field changes it: %+v", p)
	}
	if l := TimelineLabel(dispatch.EventTestRecipient); strings.HasPrefix(l, "Evento") || !strings.Contains(l, "teste") {
		t.Errorf("label %q", l)
	}
}
