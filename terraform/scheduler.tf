# Every 5 minutes, the reminder scan enqueues the reminders that come due within the
# horizon (LEMBRA_REMINDER_HORIZON_SECONDS) as Cloud Tasks scheduled at their exact time.
resource "google_cloud_scheduler_job" "reminders" {
  name        = "reminders-scan"
  description = "Lembra: enqueue due 24-hour reminders"
  region      = var.region
  schedule    = "*/5 * * * *"
  time_zone   = "America/Sao_Paulo"

  attempt_deadline = "300s" # = the reminders function's timeout

  # No retries: the next tick, 5 minutes later, is the retry (the scan is idempotent: task
  # names derive from job ids).
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    # The deterministic URL (see functions.tf): the audience must be exactly the
    # LEMBRA_REMINDERS_AUDIENCE the function checks, and that cannot be read from the
    # function's own resource.
    uri = local.function_urls["reminders"]

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.function_urls["reminders"]
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_service_iam_member.scheduler_invokes_reminders,
  ]
}
