package meta

import "testing"

func TestCallbackData(t *testing.T) {
	if got := CallbackData("studio-jana", "apt_1-appointment_created"); got != "studio-jana/apt_1-appointment_created" {
		t.Errorf("CallbackData = %q", got)
	}
	cases := []struct {
		in          string
		tenant, job string
		ok          bool
	}{
		{CallbackData("studio-jana", "apt_1-appointment_created"), "studio-jana", "apt_1-appointment_created", true},
		{"t/j", "t", "j", true},
		{"", "", "", false},
		{"appt_123", "", "", false}, // another app's data: no "/"
		{"/job", "", "", false},
		{"tenant/", "", "", false},
		{"/", "", "", false},
		{"t/j/k", "", "", false},
	}
	for _, c := range cases {
		tenant, job, ok := ParseCallbackData(c.in)
		if tenant != c.tenant || job != c.job || ok != c.ok {
			t.Errorf("ParseCallbackData(%q) = %q, %q, %v; want %q, %q, %v", c.in, tenant, job, ok, c.tenant, c.job, c.ok)
		}
	}
}
