# Each tenant (one WhatsApp number) sends through its own two queues, created and paced
# by the code (shared/queue: Tasks.Enqueue creates them on the tenant's first task,
# Tasks.Pace re-paces them when the number's cap changes), named
# <tasks_queue_prefix>-now-<tenant>-<hash> (booking and cancellation notices, answers)
# and <tasks_queue_prefix>-rem-<tenant>-<hash> (reminders). Terraform holds their
# configuration, passed to the functions as LEMBRA_TASKS_* (functions.tf): the lanes'
# shares of the number's cap and the retry settings below. docs/scaling.md explains the
# design, the quotas and how a cap change takes effect.
#
# Cloud Tasks retries on any non-2xx answer. Dispatch answers 2xx once a job is settled
# (sent, failed, skipped, or re-enqueued by the code for its own, longer retry delays), so
# these retries cover dispatch being unreachable, a transient store error, and 503
# not_due (with Retry-After) for a task that arrives before its job is due.
#
# The shared queue below is where every tenant's tasks went before the tenant queues. It
# stays: tasks created before the upgrade are still delivered, and the code sends
# through it (LEMBRA_TASKS_FALLBACK_QUEUE) a task whose tenant queue was created moments
# ago and does not take tasks yet. A deleted queue's name cannot be reused for about 7 days.
resource "google_cloud_tasks_queue" "dispatch" {
  name     = "dispatch"
  location = var.region

  rate_limits {
    max_dispatches_per_second = 20
    max_concurrent_dispatches = 20
  }

  retry_config {
    max_attempts  = var.tasks_max_attempts
    min_backoff   = "${var.tasks_min_backoff_seconds}s"
    max_backoff   = "${var.tasks_max_backoff_seconds}s"
    max_doublings = var.tasks_max_doublings
  }

  lifecycle {
    # The tenant queues' lanes (configured by the code from these variables) together
    # may not exceed the number's cap.
    precondition {
      condition     = var.tasks_now_share_percent + var.tasks_reminder_share_percent <= 100
      error_message = "tasks_now_share_percent + tasks_reminder_share_percent must not exceed 100: the lanes together would send above the number's cap."
    }
    precondition {
      condition     = var.tasks_min_backoff_seconds <= var.tasks_max_backoff_seconds
      error_message = "tasks_min_backoff_seconds must not exceed tasks_max_backoff_seconds."
    }
  }

  depends_on = [google_project_service.enabled]
}
