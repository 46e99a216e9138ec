// Package domain holds Lembra's types and rules: tenants, appointments, jobs, their
// statuses and the reasons a message is or is not sent. It has no cloud imports.
package domain

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Errors shared by the store and the services. Adapters wrap them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Mode controls whether automation sends, pretends to send, or does nothing.
type Mode string

const (
	ModeDisabled Mode = "disabled"
	ModeDryRun   Mode = "dry_run"
	ModeEnabled  Mode = "enabled"
)

// ParseMode accepts the three mode names; an empty string is an error.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(strings.ToLower(s))); m {
	case ModeDisabled, ModeDryRun, ModeEnabled:
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q (want disabled, dry_run or enabled)", ErrInvalid, s)
}

func (m Mode) rank() int {
	switch m {
	case ModeEnabled:
		return 2
	case ModeDryRun:
		return 1
	}
	return 0
}

// EffectiveMode is the more restrictive of the environment's and the tenant's modes.
func EffectiveMode(env, tenant Mode) Mode {
	if env.rank() < tenant.rank() {
		return normalise(env)
	}
	return normalise(tenant)
}

func normalise(m Mode) Mode {
	if m.rank() == 0 {
		return ModeDisabled
	}
	return m
}

// AppointmentStatus is the booking's state.
type AppointmentStatus string

const (
	AppointmentScheduled AppointmentStatus = "scheduled"
	AppointmentConfirmed AppointmentStatus = "confirmed"
	AppointmentCanceled  AppointmentStatus = "canceled"
)

// Active reports whether the appointment is still going to happen.
func (s AppointmentStatus) Active() bool {
	return s == AppointmentScheduled || s == AppointmentConfirmed
}

// DeliveryMode is how a message goes out: an approved template or a free-form session message.
type DeliveryMode string

const (
	DeliveryTemplate DeliveryMode = "template"
	DeliverySession  DeliveryMode = "session"
)

var E164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// ValidationError is bad input about one field, said so the caller can fix it.
type ValidationError struct {
	Field   string
	Code    string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ConflictError is a request that contradicts what is stored.
type ConflictError struct {
	Code    string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true for conflict errors.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
