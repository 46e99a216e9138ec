# Meta's webhook deliveries: the webhook function publishes each signed POST body here and
# answers 200 only once the publish is durable; the events function consumes it.
resource "google_pubsub_topic" "webhooks" {
  name = "meta-webhooks"

  # Keep published deliveries for 7 days (Meta's own retry window), so that a subscription
  # can be seeked back to replay them after an incident.
  message_retention_duration = "604800s"

  depends_on = [google_project_service.enabled]
}

# The events function's subscription is created and owned by Eventarc (see the event_trigger
# in functions.tf): this configuration cannot give it a dead-letter policy. Poison deliveries
# are kept by the events code in Firestore (collection webhook_dead_letters) instead.
#
# This dead-letter topic and its pull subscription are where an operator can send
# undeliverable messages by hand (README: "Dead letters"); the subscription holds them for 7
# days for inspection. Nothing publishes to the topic automatically.
resource "google_pubsub_topic" "webhooks_dead_letter" {
  name = "meta-webhooks-dead-letter"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "webhooks_dead_letter" {
  name  = "meta-webhooks-dead-letter"
  topic = google_pubsub_topic.webhooks_dead_letter.id

  message_retention_duration = "604800s" # 7 days
  retain_acked_messages      = false
  ack_deadline_seconds       = 60

  # Never delete the subscription for inactivity: dead letters are rare.
  expiration_policy {
    ttl = ""
  }
}
