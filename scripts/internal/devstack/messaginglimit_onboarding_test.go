package devstack_test

import (
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
)

// TestOnboardingReadsMessagingLimit: Embedded Signup's find_assets step reads the
// portfolio's limit with the number (whatsapp_business_manager_messaging_limit, which
// the Meta stand-in answers from its WABA's limit as Meta's TIER_250), the index step
// stores it, and the WhatsApp screen shows it counted from 0.
func TestOnboardingReadsMessagingLimit(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	s.Meta.SetMessagingLimit("102290129360291", 250) // connectedStudio's WABA for suffix 91
	st := connectedStudio(t, s, "limite-onb", "Studio Onboarding", "91", false)
	if st.b.WABAID != "102290129360291" {
		t.Fatalf("WABA %s", st.b.WABAID)
	}
	got, err := mustStore(t, s).GetTenant(t.Context(), st.ten.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.WhatsApp.MessagingLimit != 250 {
		t.Fatalf("stored limit %d, want 250", got.WhatsApp.MessagingLimit)
	}
	ml, _ := connection(t, s, st.owner)["messaging_limit"].(map[string]any)
	if ml["limit"] != float64(250) || ml["counted"] != true || ml["label"] != "Limite da Meta: 0 de 250 clientes nas últimas 24 h" {
		t.Fatalf("messaging_limit %v", ml)
	}
}
