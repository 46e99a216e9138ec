package reminders

import (
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestScanPaused(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *domain.Tenant
		want bool
	}{
		{"no tenant", nil, false},
		{"never paused", &domain.Tenant{ID: "t1"}, false},
		{"paused", &domain.Tenant{ID: "t1", ScanPause: domain.ScanPause{Paused: true, Reason: "limpando a fila"}}, true},
		{"resumed", &domain.Tenant{ID: "t1", ScanPause: domain.ScanPause{Paused: false, Reason: "fila limpa"}}, false},
	} {
		if got := ScanPaused(tc.t); got != tc.want {
			t.Errorf("%s: ScanPaused = %v, want %v", tc.name, got, tc.want)
		}
	}
}
