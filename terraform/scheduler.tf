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

# The daily check of every studio's Meta token (functions/reminders POST /token-check,
# shared/tokencheck): debug_token for each stored token; an invalid one stops that
# studio's sends with a reason and raises the token_check_invalid alert (monitoring.tf).
# Same caller and audience as the scan: the scheduler's account, the function's URL.
#
# Only with the Meta app id: without it the check cannot build the app token and would
# fail every day. Off the scan's 5-minute grid (07:07, not 07:00): reminders runs one
# instance at a time (functions.tf, max_instances = 1), so a check starting on a scan's
# tick would make that scan wait behind it (or be refused) for as long as the check runs.
resource "google_cloud_scheduler_job" "token_check" {
  count = var.meta_app_id != "" ? 1 : 0

  name        = "token-check"
  description = "Lembra: check every studio's Meta token (debug_token)"
  region      = var.region
  schedule    = "7 7 * * *" # daily, before the studios open, between two scans
  time_zone   = "America/Sao_Paulo"

  attempt_deadline = "300s" # = the reminders function's timeout

  # A failed run is retried twice, 10 minutes apart; checking again is harmless (the
  # alert fires only when a token turns invalid).
  retry_config {
    retry_count          = 2
    min_backoff_duration = "600s"
  }

  http_target {
    http_method = "POST"
    uri         = "${local.function_urls["reminders"]}/token-check"

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
