package domain

import (
	"errors"
	"testing"
)

func TestRoleAllowed(t *testing.T) {
	for _, c := range []struct {
		role    StaffRole
		roles   []StaffRole
		allowed bool
	}{
		{RoleOwner, nil, true},
		{RoleStaff, nil, true},
		{RoleOwner, []StaffRole{RoleOwner}, true},
		{RoleStaff, []StaffRole{RoleOwner}, false},
		{RoleStaff, []StaffRole{RoleOwner, RoleStaff}, true},
		{"", nil, false},
		{"admin", nil, false},
		{"Owner", []StaffRole{RoleOwner}, false},
	} {
		if got := RoleAllowed(c.role, c.roles...); got != c.allowed {
			t.Errorf("RoleAllowed(%q, %v) = %v, want %v", c.role, c.roles, got, c.allowed)
		}
	}
}

func TestStaffMemberValidate(t *testing.T) {
	ok := StaffMember{UID: "u1", TenantID: "studio-jana", Role: RoleOwner}
	for _, c := range []struct {
		name  string
		edit  func(*StaffMember)
		valid bool
	}{
		{"complete", func(*StaffMember) {}, true},
		{"staff role", func(m *StaffMember) { m.Role = RoleStaff }, true},
		{"no uid", func(m *StaffMember) { m.UID = "" }, false},
		{"uid with a slash", func(m *StaffMember) { m.UID = "a/b" }, false},
		{"no tenant", func(m *StaffMember) { m.TenantID = " " }, false},
		{"unknown role", func(m *StaffMember) { m.Role = "admin" }, false},
	} {
		m := ok
		c.edit(&m)
		err := m.Validate()
		if (err == nil) != c.valid || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: %v, want valid %v", c.name, err, c.valid)
		}
	}
}
