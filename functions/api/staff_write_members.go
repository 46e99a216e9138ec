package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"firebase.google.com/go/v4/auth"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// Members (owner only): the studio's people, and adding one by e-mail. The Firebase
// user is found or created with the Admin SDK (https://firebase.google.com/docs/auth/admin/manage-users)
// and mapped to the tenant (staff/{uid}); the answer carries a password reset link
// (https://firebase.google.com/docs/auth/admin/email-action-links) the owner passes on,
// with which the new member sets a password.

// Labels of the roles, as staff read them.
var roleLabels = map[domain.StaffRole]string{domain.RoleOwner: "responsável", domain.RoleStaff: "equipe"}

func newMember(m *domain.StaffMember) Member {
	return Member{UID: m.UID, Email: m.Email, Role: string(m.Role), RoleLabel: roleLabels[m.Role]}
}

// staffMembers lists the studio's members.
func (s *server) staffMembers(w http.ResponseWriter, r *http.Request, st Staff) error {
	ms, err := s.store.StaffMembers(r.Context(), st.Tenant.ID)
	if err != nil {
		return err
	}
	out := MembersResponse{Members: make([]Member, 0, len(ms))}
	for _, m := range ms {
		out.Members = append(out.Members, newMember(m))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// memberRequest checks an AddMemberRequest and normalises its e-mail (lower case).
func memberRequest(req AddMemberRequest) (string, domain.StaffRole, error) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" {
		return "", "", web.FieldError("email", "required", "email is required")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return "", "", web.FieldError("email", "invalid_value", "email must be one e-mail address, e.g. bia@example.com")
	}
	if req.Role == "" {
		return "", "", web.FieldError("role", "required", "role (staff or owner) is required")
	}
	role, err := domain.ParseStaffRole(req.Role)
	if err != nil {
		return "", "", web.FieldError("role", "invalid_value", "role must be staff or owner")
	}
	return email, role, nil
}

// staffAddMember adds a member by e-mail (201), or updates the role of one already in
// the studio (200); a user of another studio is 409 and left alone.
func (s *server) staffAddMember(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req AddMemberRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	email, role, err := memberRequest(req)
	if err != nil {
		return err
	}
	c, err := s.env.Auth(r.Context())
	if err != nil {
		return err
	}
	uid, err := findOrCreateUser(r.Context(), c, email)
	if err != nil {
		return err
	}
	if uid == st.UID && role != st.Role {
		return web.FieldError("role", "invalid_value", "you cannot change your own role")
	}
	m, created, err := s.store.AddStaffMember(r.Context(), &domain.StaffMember{
		UID: uid, TenantID: st.Tenant.ID, Role: role, Email: email, CreatedAt: s.env.Now().UTC()})
	if errors.Is(err, store.ErrOtherTenant) {
		return &domain.ConflictError{Code: "member_of_another_studio", Message: fmt.Sprintf("%s is a member of another studio: a person can belong to one studio only", email)}
	}
	if err != nil {
		return err
	}
	link, err := c.PasswordResetLink(r.Context(), email)
	if err != nil {
		return fmt.Errorf("password reset link: %w", err)
	}
	s.env.Log.InfoContext(r.Context(), "staff member added", "tenant_id", st.Tenant.ID, "uid", uid, "role", role, "created", created, "by", st.UID)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	v := newMember(m)
	web.WriteJSON(w, status, AddMemberResponse{UID: v.UID, Email: v.Email, Role: v.Role, RoleLabel: v.RoleLabel, Created: created, PasswordResetLink: link})
	return nil
}

// findOrCreateUser is the uid of the Firebase user with email, created (no password,
// which the reset link sets) when there is none.
func findOrCreateUser(ctx context.Context, c *auth.Client, email string) (string, error) {
	u, err := c.GetUserByEmail(ctx, email)
	if err == nil {
		return u.UID, nil
	}
	if !auth.IsUserNotFound(err) {
		return "", fmt.Errorf("find user by e-mail: %w", err)
	}
	u, err = c.CreateUser(ctx, (&auth.UserToCreate{}).Email(email))
	if auth.IsEmailAlreadyExists(err) { // created meanwhile by another request
		u, err = c.GetUserByEmail(ctx, email)
	}
	if err != nil {
		return "", fmt.Errorf("create user: %w", err)
	}
	return u.UID, nil
}
