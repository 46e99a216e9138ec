package devstack_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/onboarding"
)

// TestSeedDemoSignup: the local demo has a second studio without a number (so its
// owner can connect one from the dashboard) and the Meta stand-in offers two fake
// businesses for Embedded Signup, one normal and one coexistence, each with the demo's
// approved templates; the first studio keeps its number.
func TestSeedDemoSignup(t *testing.T) {
	s := fast(t, nil)
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	st := mustStore(t, s)
	flor, err := st.GetTenant(ctx, devstack.DemoSecondTenantID)
	if err != nil || flor == nil {
		t.Fatalf("second studio: %v %v", flor, err)
	}
	if flor.WhatsApp.PhoneNumberID != "" || flor.WhatsApp.WABAID != "" || flor.WhatsApp.AccessTokenSecret != "" {
		t.Errorf("the second studio must start without a number: %+v", flor.WhatsApp)
	}
	if len(flor.Templates) != 2 {
		t.Errorf("second studio's templates: %v", flor.Templates)
	}
	if jana, err := st.GetTenant(ctx, devstack.DemoTenantID); err != nil || jana.WhatsApp.PhoneNumberID != devstack.DemoPhoneNumberID {
		t.Errorf("studio-jana: %+v %v", jana, err)
	}
	got := s.Meta.Businesses()
	if len(got) != 2 {
		t.Fatalf("Meta stand-in businesses: %+v", got)
	}
	coex := 0
	for _, b := range got {
		if b.Coexistence {
			coex++
		}
		if b.WABAID == "" || b.PhoneNumberID == "" || b.DisplayPhoneNumber == "" || b.VerifiedName == "" || b.Token == "" {
			t.Errorf("business incomplete: %+v", b.Business)
		}
		for _, ref := range flor.Templates {
			if !s.Meta.HasTemplate(b.PhoneNumberID, ref.Name, ref.Language) {
				t.Errorf("business %s lacks template %s/%s", b.WABAID, ref.Name, ref.Language)
			}
		}
	}
	if coex != 1 {
		t.Errorf("want one coexistence business, got %d", coex)
	}
}

// TestDashboardStepsAreTheServers: the WhatsApp screen lists the connection's steps in
// the order the server runs them (onboarding.Steps), each with its Portuguese name.
func TestDashboardStepsAreTheServers(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "dashboard", "src", "whatsapp.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`export const stepOrder = \[([^\]]*)\]`).FindSubmatch(src)
	if m == nil {
		t.Fatal("dashboard/src/whatsapp.js: no stepOrder")
	}
	var order []string
	for _, q := range regexp.MustCompile(`'([a-z_]+)'`).FindAllSubmatch(m[1], -1) {
		order = append(order, string(q[1]))
	}
	if !slices.Equal(order, onboarding.Steps) {
		t.Errorf("dashboard stepOrder %v, server onboarding.Steps %v", order, onboarding.Steps)
	}
	for _, step := range onboarding.Steps {
		if !regexp.MustCompile(`\n  ` + step + `: '[^']+',`).Match(src) {
			t.Errorf("dashboard stepLabels: no Portuguese name for %s", step)
		}
	}
}
