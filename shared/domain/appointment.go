package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Appointment is one booking of one client.
type Appointment struct {
	ID          string            `firestore:"-"`
	TenantID    string            `firestore:"tenant_id"`
	ExternalID  string            `firestore:"external_id"`
	ClientName  string            `firestore:"client_name"`
	ClientPhone string            `firestore:"client_phone"`
	Service     string            `firestore:"service"`
	Location    string            `firestore:"location"`
	StartsAt    time.Time         `firestore:"starts_at"`
	Status      AppointmentStatus `firestore:"status"`
	// ScheduleVersion grows with every reschedule; reminder job ids include it.
	ScheduleVersion int       `firestore:"schedule_version"`
	VoucherToken    string    `firestore:"voucher_token"`
	CanceledAt      time.Time `firestore:"canceled_at,omitempty"`
	ConfirmedAt     time.Time `firestore:"confirmed_at,omitempty"`
	// LastInboundAt is the last client message correlated to this appointment: it
	// opens WhatsApp's 24-hour window for free-form messages about it.
	LastInboundAt time.Time `firestore:"last_inbound_at,omitempty"`
	LastInboundID string    `firestore:"last_inbound_id,omitempty"`
	// StaffFlag asks staff to act: reschedule_requested, talk_requested.
	StaffFlag   string    `firestore:"staff_flag,omitempty"`
	StaffFlagAt time.Time `firestore:"staff_flag_at,omitempty"`
	CreatedAt   time.Time `firestore:"created_at"`
	UpdatedAt   time.Time `firestore:"updated_at"`
}

// AppointmentID derives the appointment id from the tenant and the booking system's id,
// so that the same booking posted twice maps to the same document.
func AppointmentID(tenantID, externalID string) string {
	sum := sha256.Sum256([]byte(tenantID + "\x00" + externalID))
	return "apt_" + hex.EncodeToString(sum[:12])
}
