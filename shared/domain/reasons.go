package domain

// Reason codes: why a job was not sent, failed, or waits (Job.ReasonCode, Reason.Code).
// They are stable (stored on jobs, shown to the API's callers); each has its Portuguese
// text in package ptbr, and ptbr's tests check that every code here has one.
const (
	// Rules before any send.
	ReasonModeDisabled     = "mode_disabled"
	ReasonDryRun           = "dry_run"
	ReasonTenantNotAllowed = "tenant_not_allowed"
	ReasonKillSwitch       = "kill_switch"
	ReasonAppointmentGone  = "appointment_canceled"
	ReasonAppointmentPast  = "appointment_past"
	ReasonReminderTooLate  = "reminder_too_late"
	ReasonRescheduled      = "rescheduled"
	ReasonTemplateMissing  = "template_missing"
	ReasonNoPhoneNumber    = "whatsapp_not_connected"
	ReasonNoRecipient      = "no_recipient"

	// Templates and the 24-hour window of session messages.
	ReasonTemplateNotApproved = "template_not_approved"
	ReasonWindowClosed        = "window_closed"
	ReasonWindowNoInbound     = "window_no_inbound"
	ReasonWindowExpired       = "window_expired"
	ReasonWindowCheckFailed   = "window_check_failed"

	// The state of the studio's WhatsApp account.
	ReasonAccountDisconnected = "whatsapp_disconnected"
	ReasonAccountDeleted      = "whatsapp_account_deleted"
	ReasonAccountBanned       = "whatsapp_account_disabled"
	ReasonAccountRestricted   = "whatsapp_account_restricted"
	ReasonTokenInvalid        = "whatsapp_token_invalid" // the daily debug_token check
	ReasonConnecting          = "whatsapp_connecting"    // an onboarding attempt not yet finished

	// Sends that failed.
	ReasonMetaError        = "meta_error"
	ReasonRetriesExhausted = "retries_exhausted"
	ReasonOutcomeUnknown   = "outcome_unknown"
	ReasonTokenUnavailable = "token_unavailable"

	// Decisions of the studio's owner (dispatch.DecideAction, the queue drain).
	ReasonOperationalFailure = "operational_failure"
	ReasonDiscarded          = "discarded_by_owner"
)
