# Operator signals: log-based metrics over the functions' structured logs and the alert
# policies on them (README: "Alerts and runbooks" says what each one means and what to do).
#
# The functions write JSON lines to stdout; Cloud Run (gen2 functions are Cloud Run
# services, resource type cloud_run_revision, service_name = the function's name) sends
# them to Cloud Logging with the line as jsonPayload: jsonPayload.message is the
# message, jsonPayload.tenant_id the tenant
# (https://cloud.google.com/run/docs/logging#writing_structured_logs). Every message
# below is a constant of shared/logging (signals.go) that product code logs;
# monitoring_test.go checks that, and that each alert's metric is declared here.
#
# A log-based counter metric (DELTA, INT64) counts the matching entries; its type in
# Cloud Monitoring is logging.googleapis.com/user/<name>
# (https://cloud.google.com/logging/docs/logs-based-metrics).

variable "alert_email" {
  description = "Address that receives the alerts (an email notification channel). Empty: the policies exist and show in the console, but notify nobody."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be empty or an email address."
  }
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  display_name = "Lembra operator (${var.environment})"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

locals {
  alert_channels = google_monitoring_notification_channel.email[*].name
  # Where each alert's runbook lives; monitoring_test.go checks the README has one per alert.
  runbooks_doc = "See the repository README, section \"Alerts and runbooks\"."
}

# ---------------------------------------------------------------------------------------
# Log-based metrics

# (a) Meta refused a tenant's access token: Graph error 190 (or a 401 without a code),
# logged by dispatch once per send it refused.
resource "google_logging_metric" "meta_token_rejected" {
  name        = "lembra_meta_token_rejected"
  description = "Sends Meta refused because the tenant's access token expired or is invalid (Graph error 190), by tenant."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"dispatch\" AND jsonPayload.message=\"meta access token rejected\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "tenant_id"
      value_type = "STRING"
    }
  }
  label_extractors = {
    tenant_id = "EXTRACT(jsonPayload.tenant_id)"
  }

  depends_on = [google_project_service.enabled]
}

# (b) POSTs to the webhook whose X-Hub-Signature-256 was missing or wrong.
resource "google_logging_metric" "webhook_signature_rejected" {
  name        = "lembra_webhook_signature_rejected"
  description = "Webhook deliveries refused because their X-Hub-Signature-256 was missing or wrong."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"webhook\" AND jsonPayload.message=\"webhook rejected\" AND jsonPayload.check=\"signature\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

# (c) Deliveries events can never apply, kept in Firestore's webhook_dead_letters. (Those
# Pub/Sub gave up on are counted by Pub/Sub itself on the dead-letter subscription.)
resource "google_logging_metric" "dead_letter_kept" {
  name        = "lembra_dead_letter_kept"
  description = "Webhook deliveries the events function could not apply and kept in webhook_dead_letters."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"events\" AND jsonPayload.message=\"webhook delivery kept as dead letter\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

# (d) Completed reminder scans (one line at the end of each; a failed scan writes none).
resource "google_logging_metric" "reminder_scan" {
  name        = "lembra_reminder_scan"
  description = "Completed reminder scans."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"reminders\" AND jsonPayload.message=\"reminder scan\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

# (e) Jobs that failed for good, and jobs settled by a send (sent or failed), by tenant:
# the failure rate is the first over the second.
resource "google_logging_metric" "job_failed" {
  name        = "lembra_job_failed"
  description = "Jobs dispatch recorded failed, by tenant."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"dispatch\" AND jsonPayload.message=\"job failed\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "tenant_id"
      value_type = "STRING"
    }
  }
  label_extractors = {
    tenant_id = "EXTRACT(jsonPayload.tenant_id)"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "job_settled" {
  name        = "lembra_job_settled"
  description = "Jobs dispatch recorded sent or failed, by tenant (the failure rate's denominator)."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"dispatch\" AND (jsonPayload.message=\"job sent\" OR jsonPayload.message=\"job failed\")"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "tenant_id"
      value_type = "STRING"
    }
  }
  label_extractors = {
    tenant_id = "EXTRACT(jsonPayload.tenant_id)"
  }

  depends_on = [google_project_service.enabled]
}

# (f) An account_update left a tenant's number unable to send (disconnected, deleted,
# disabled or restricted by Meta).
resource "google_logging_metric" "account_cannot_send" {
  name        = "lembra_account_cannot_send"
  description = "Account events that left a tenant's WhatsApp number unable to send, by tenant."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"events\" AND jsonPayload.message=\"whatsapp account cannot send\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "tenant_id"
      value_type = "STRING"
    }
  }
  label_extractors = {
    tenant_id = "EXTRACT(jsonPayload.tenant_id)"
  }

  depends_on = [google_project_service.enabled]
}

# (g) The daily token check (reminders' POST /token-check) found a tenant's Meta token
# invalid: logged once, when it turns invalid (shared/tokencheck).
resource "google_logging_metric" "token_check_invalid" {
  name        = "lembra_token_check_invalid"
  description = "Tenants' Meta tokens the daily check found invalid (debug_token), by tenant."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"reminders\" AND jsonPayload.message=\"meta token check invalid\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "tenant_id"
      value_type = "STRING"
    }
  }
  label_extractors = {
    tenant_id = "EXTRACT(jsonPayload.tenant_id)"
  }

  depends_on = [google_project_service.enabled]
}

# (h) Meta refused the daily token check's app token (<app id>|<app secret>) itself: a
# top-level Graph error on debug_token. No studio's token is judged and the run stops
# (shared/tokencheck); logged once per run, not per tenant.
resource "google_logging_metric" "meta_app_token_refused" {
  name        = "lembra_meta_app_token_refused"
  description = "Daily token check runs Meta stopped by refusing the app token (debug_token's top-level error)."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"reminders\" AND jsonPayload.message=\"meta app token refused\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------
# Alert policies

resource "google_monitoring_alert_policy" "meta_token_rejected" {
  display_name          = "Lembra: Meta token expired or invalid"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "A tenant's sends are refused with Graph error 190"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.meta_token_rejected.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.tenant_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "Meta refused a tenant's access token (error 190): its sends fail until the token is replaced. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "webhook_signature_rejected" {
  display_name          = "Lembra: webhooks failing the signature check"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Webhook POSTs refused for their signature"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.webhook_signature_rejected.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 5
      duration        = "0s"
      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "More than 5 webhook deliveries in 10 minutes failed the X-Hub-Signature-256 check: the app secret may not match Meta's, or someone is probing the URL. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "Lembra: webhook dead letters"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Deliveries waiting on the dead-letter subscription"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.webhooks_dead_letter.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Deliveries kept in webhook_dead_letters"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.dead_letter_kept.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "Webhook deliveries were not applied: Pub/Sub gave up on them (dead-letter subscription), or the events function kept them in webhook_dead_letters. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "reminder_scan_absent" {
  display_name          = "Lembra: reminder scan not running"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "No completed reminder scan for 15 minutes"
    # Cloud Scheduler calls the scan every 5 minutes: 15 minutes is three missed scans.
    # An absence condition needs one data point after the policy is created
    # (https://cloud.google.com/monitoring/alerts/metric-absence).
    condition_absent {
      filter   = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.reminder_scan.name}\" AND resource.type=\"cloud_run_revision\""
      duration = "900s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "No reminder scan completed for 15 minutes: reminders are not being enqueued. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

locals {
  # A tenant's failure rate alerts above this share of its sends failed within an hour.
  tenant_failure_rate_threshold = 0.2
}

resource "google_monitoring_alert_policy" "tenant_failure_rate" {
  display_name          = "Lembra: a tenant's failure rate is high"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Failed jobs over sent and failed jobs, per tenant, over an hour"
    # A ratio condition: numerator (filter) over denominator (denominator_filter), both
    # grouped by tenant; a tenant with no failure has no numerator and never alerts.
    condition_threshold {
      filter             = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.job_failed.name}\" AND resource.type=\"cloud_run_revision\""
      denominator_filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.job_settled.name}\" AND resource.type=\"cloud_run_revision\""
      comparison         = "COMPARISON_GT"
      threshold_value    = local.tenant_failure_rate_threshold
      duration           = "0s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.tenant_id"]
      }
      denominator_aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.tenant_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "More than 20% of a tenant's sends in the last hour failed. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "account_cannot_send" {
  display_name          = "Lembra: WhatsApp account disconnected"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "An account event left a tenant's number unable to send"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.account_cannot_send.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.tenant_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "Meta reported that a tenant's WhatsApp number was disconnected, deleted, disabled or restricted: its jobs are skipped until it is connected again. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "token_check_invalid" {
  display_name          = "Lembra: Meta token invalid (daily check)"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "The daily debug_token check found a tenant's token invalid"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.token_check_invalid.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.tenant_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "The daily token check found a tenant's Meta token invalid or revoked: its jobs are skipped (whatsapp_token_invalid) until the owner reconnects WhatsApp or a later check finds the token valid. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "meta_app_token_refused" {
  display_name          = "Lembra: Meta app token refused (daily check)"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Meta refused the token check's app token"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.meta_app_token_refused.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = "Meta refused the daily token check's app token (the Meta app id and the app secret in Secret Manager): the check judged no studio and stopped; studios' sends are unchanged. ${local.runbooks_doc}"
    mime_type = "text/markdown"
  }
}
