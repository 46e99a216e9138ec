package config

import (
	"slices"
	"strings"
	"testing"
)

func TestDashboardOrigins(t *testing.T) {
	c, err := Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p"}))
	if err != nil || len(c.DashboardOrigins) != 0 {
		t.Fatalf("default: %v %v, want none", c.DashboardOrigins, err)
	}
	c, err = Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p",
		"LEMBRA_DASHBOARD_ORIGINS": " https://painel.lembra.app, http://localhost:5173 ,"}))
	if err != nil || !slices.Equal(c.DashboardOrigins, []string{"https://painel.lembra.app", "http://localhost:5173"}) {
		t.Fatalf("list: %v %v", c.DashboardOrigins, err)
	}
	for _, bad := range []string{"https://painel.lembra.app/", "painel.lembra.app", "https://painel.lembra.app/x",
		"ftp://painel.lembra.app", "https://a@painel.lembra.app", "https://painel.lembra.app?x", "*"} {
		_, err := Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p", "LEMBRA_DASHBOARD_ORIGINS": bad}))
		if err == nil || !strings.Contains(err.Error(), "LEMBRA_DASHBOARD_ORIGINS") {
			t.Errorf("%q: %v, want refused naming LEMBRA_DASHBOARD_ORIGINS", bad, err)
		}
	}
}
