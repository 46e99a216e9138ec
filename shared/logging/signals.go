package logging

// Operator signals: the log lines Cloud Monitoring counts (terraform/monitoring.tf turns
// each into a log-based metric, with filters on jsonPayload.message and the keys below).
// Each message is written by exactly the code the metric is about; the Terraform test
// (terraform/monitoring_test.go) reads these constants and checks that every filter
// names one that product code logs, so renaming a message cannot silently break an
// alert.
const (
	// MsgJobSent: dispatch sent a job (Meta accepted it); with tenant_id.
	MsgJobSent = "job sent"
	// MsgJobFailed: dispatch recorded a job failed for good; with tenant_id, reason_code
	// and error_code.
	MsgJobFailed = "job failed"
	// MsgMetaTokenRejected: Meta refused the tenant's access token (Graph error code 190,
	// or an HTTP 401 without a code); with tenant_id, error_code and http_status.
	MsgMetaTokenRejected = "meta access token rejected"
	// MsgWebhookRejected: the webhook refused a POST; KeyRejectedCheck says which check.
	MsgWebhookRejected = "webhook rejected"
	// MsgDeadLetterKept: events kept a delivery it can never apply in
	// webhook_dead_letters (and acknowledged it).
	MsgDeadLetterKept = "webhook delivery kept as dead letter"
	// MsgReminderScan: one reminder scan completed (with its counts).
	MsgReminderScan = "reminder scan"
	// MsgAccountCannotSend: an account event left the tenant's WhatsApp number unable
	// to send (disconnected, deleted, disabled by Meta or restricted); with tenant_id,
	// event and block.
	MsgAccountCannotSend = "whatsapp account cannot send"
	// MsgTokenCheckInvalid: the daily token check (debug_token) found a tenant's Meta
	// token invalid, once when it turns invalid; with tenant_id and reason. Its sends
	// stop (domain.BlockTokenInvalid) until a valid check or a reconnection.
	MsgTokenCheckInvalid = "meta token check invalid"
	// MsgMetaAppTokenRefused: Meta answered the daily token check's debug_token with a
	// top-level Graph error, refusing the app token (<app id>|<app secret>) itself: no
	// studio's token is judged and the run stops; with error_code and http_status.
	MsgMetaAppTokenRefused = "meta app token refused"
)

// KeyRejectedCheck is the key of MsgWebhookRejected that names the failed check, one
// of CheckSignature and CheckBodySize.
const (
	KeyRejectedCheck = "check"
	CheckSignature   = "signature"
	CheckBodySize    = "body_size"
)
