# Identities and roles of the push subscription feeding the events function (pubsub.tf).

# The identity of the OIDC token Pub/Sub attaches to every push to events.
resource "google_service_account" "events_push" {
  account_id   = "lembra-events-push"
  display_name = "Lembra Pub/Sub push of webhook deliveries to events"

  depends_on = [google_project_service.enabled]
}

# events is private: only the push identity may invoke it.
resource "google_cloud_run_service_iam_member" "events_push_invokes_events" {
  location = google_cloudfunctions2_function.fn["events"].location
  service  = google_cloudfunctions2_function.fn["events"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.events_push.email}"
}

# Pub/Sub's service agent, which pushes, mints the OIDC tokens and forwards dead letters.
locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Minting OIDC tokens of the push identity: needed by projects created before
# April 8, 2021, harmless after (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions).
resource "google_service_account_iam_member" "pubsub_agent_mints_events_push_tokens" {
  service_account_id = google_service_account.events_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# Dead-letter forwarding: the service agent publishes to the dead-letter topic and
# acknowledges the forwarded message on the source subscription
# (https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions).
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  topic  = google_pubsub_topic.webhooks_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_acks_events" {
  subscription = google_pubsub_subscription.events.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
