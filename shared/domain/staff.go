package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// StaffRole is what a signed-in member of a studio may do in the dashboard.
type StaffRole string

// The roles: an owner may do everything a staff member may, and what is owner-only
// (settings, people, billing).
const (
	RoleOwner StaffRole = "owner"
	RoleStaff StaffRole = "staff"
)

// ParseStaffRole accepts "owner" or "staff".
func ParseStaffRole(s string) (StaffRole, error) {
	switch r := StaffRole(s); r {
	case RoleOwner, RoleStaff:
		return r, nil
	}
	return "", fmt.Errorf("%w: staff role %q (want owner or staff)", ErrInvalid, s)
}

// RoleAllowed reports whether role may call an endpoint open to roles; no roles means
// every role.
func RoleAllowed(role StaffRole, roles ...StaffRole) bool {
	if _, err := ParseStaffRole(string(role)); err != nil {
		return false
	}
	return len(roles) == 0 || slices.Contains(roles, role)
}

// StaffMember maps one signed-in user (Firebase Authentication uid) to exactly one
// tenant and a role. Stored at staff/{uid}.
type StaffMember struct {
	UID       string    `firestore:"-"`
	TenantID  string    `firestore:"tenant_id"`
	Role      StaffRole `firestore:"role"`
	Email     string    `firestore:"email"`
	CreatedAt time.Time `firestore:"created_at"`
}

// Validate checks a mapping before it is stored, and after it is read.
func (m *StaffMember) Validate() error {
	var problems []string
	if strings.TrimSpace(m.UID) == "" || strings.Contains(m.UID, "/") || len(m.UID) > 128 {
		problems = append(problems, fmt.Sprintf("uid %q must be 1 to 128 characters without '/'", m.UID))
	}
	if strings.TrimSpace(m.TenantID) == "" {
		problems = append(problems, "tenant_id is required")
	}
	if _, err := ParseStaffRole(string(m.Role)); err != nil {
		problems = append(problems, fmt.Sprintf("role %q must be owner or staff", m.Role))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: staff member: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}
