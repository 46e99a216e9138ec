output "webhook_url" {
  description = "Callback URL to paste in Meta's App Dashboard (WhatsApp > Configuration > Webhook)."
  value       = local.function_urls["webhook"]
}

output "api_url" {
  description = "Base URL of the booking API (e.g. <api_url>/v1/appointments: a deployed function is served at its root)."
  value       = local.function_urls["api"]
}

output "voucher_base_url" {
  description = "Base of the voucher links sent to clients (<base>/<token>)."
  value       = local.voucher_base_url
}

output "function_urls" {
  description = "Deterministic run.app URL of every function: the URLs and OIDC audiences the configuration uses."
  value       = local.function_urls
}

output "function_service_uris" {
  description = "The URI each function reports (service_config.uri). It may be the older hash-based run.app URL of the same service; both reach it."
  value       = { for name, f in google_cloudfunctions2_function.fn : name => f.service_config[0].uri }
}

output "tasks_location" {
  description = "Where the tenants' Cloud Tasks queues are created (LEMBRA_TASKS_LOCATION)."
  value       = local.tasks_location
}

output "webhook_topic" {
  description = "Pub/Sub topic of Meta's webhook deliveries."
  value       = google_pubsub_topic.webhooks.id
}

output "dead_letter_subscription" {
  description = "Pull subscription holding dead-lettered webhook deliveries for the operator."
  value       = google_pubsub_subscription.webhooks_dead_letter.id
}

output "scheduler_job" {
  description = "Cloud Scheduler job that runs the reminder scan."
  value       = google_cloud_scheduler_job.reminders.id
}

output "service_accounts" {
  description = "Service accounts created for Lembra."
  value = merge(
    { for name, sa in google_service_account.fn : name => sa.email }, # what each function runs as
    {
      tasks     = google_service_account.tasks.email
      scheduler = google_service_account.scheduler.email
      build     = google_service_account.build.email
    },
  )
}

output "secrets" {
  description = "Secrets that need a version before the webhook can work (see README)."
  value = [
    google_secret_manager_secret.meta_app_secret.secret_id,
    google_secret_manager_secret.meta_verify_token.secret_id,
  ]
}
