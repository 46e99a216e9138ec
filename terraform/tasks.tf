# The queue of dispatch tasks: one named task per job, created by api, events, reminders and
# by dispatch itself (retries). Task URL and OIDC token are set per task by the code
# (LEMBRA_DISPATCH_URL, LEMBRA_TASKS_SERVICE_ACCOUNT, LEMBRA_TASKS_AUDIENCE).
#
# A deleted queue's name cannot be reused for about 7 days.
resource "google_cloud_tasks_queue" "dispatch" {
  name     = "dispatch"
  location = var.region

  rate_limits {
    # Coexistence numbers are capped at 20 messages/s by Meta.
    max_dispatches_per_second = 20
    max_concurrent_dispatches = 20
  }

  # Cloud Tasks retries on any non-2xx answer. Dispatch answers 2xx once a job is settled
  # (sent, failed, skipped, or re-enqueued by the code for its own, longer retry delays), so
  # these retries cover dispatch being unreachable, a transient store error, and 503
  # not_due (with Retry-After) for a task that arrives before its job is due.
  retry_config {
    max_attempts  = 20
    min_backoff   = "10s"
    max_backoff   = "600s"
    max_doublings = 5
  }

  depends_on = [google_project_service.enabled]
}
