# Meta's webhook deliveries: the webhook function publishes each signed POST body here and
# answers 200 only once the publish is durable; the events function consumes it.
resource "google_pubsub_topic" "webhooks" {
  name = "meta-webhooks"

  # Keep published deliveries for 7 days (Meta's own retry window), so that a subscription
  # can be seeked back to replay them after an incident.
  message_retention_duration = "604800s"

  depends_on = [google_project_service.enabled]
}

locals {
  # How many times Pub/Sub pushes one delivery to events before moving it to the
  # dead-letter topic (Pub/Sub allows 5 to 100). With the backoff below (10 s doubling to
  # 600 s) 20 attempts span about 2.5 hours: enough to ride out a Firestore or Cloud Tasks
  # hiccup, bounded so that a delivery events can never apply does not come back forever.
  events_max_delivery_attempts = 20
}

# The events function's subscription: a push subscription managed here rather than the
# one an Eventarc trigger creates and owns, because only a subscription Terraform manages
# can carry a dead-letter policy (Eventarc's docs say to set a dead-letter topic by
# updating its subscription by hand: https://cloud.google.com/eventarc/docs/retry-events).
# This is Pub/Sub's push-to-Cloud-Run setup
# (https://cloud.google.com/run/docs/tutorials/pubsub): Pub/Sub POSTs each message with an
# OIDC token of the push identity (events_delivery.tf), which Cloud Run checks against
# run.invoker before the function runs; a non-2xx answer is retried with backoff; after
# events_max_delivery_attempts the message goes to the dead-letter topic
# (https://cloud.google.com/pubsub/docs/handling-failures). Deliveries that can never be
# applied (bad JSON, an invalid change) are kept by the events code in Firestore and
# acknowledged, so the dead-letter topic only receives what kept failing for other reasons.
resource "google_pubsub_subscription" "events" {
  name  = "meta-webhooks-events"
  topic = google_pubsub_topic.webhooks.id

  # For push, the ack deadline is the request timeout: the events function's timeout.
  ack_deadline_seconds       = 120
  message_retention_duration = "604800s" # 7 days
  retain_acked_messages      = false

  push_config {
    push_endpoint = local.function_urls["events"]
    oidc_token {
      service_account_email = google_service_account.events_push.email
      audience              = local.function_urls["events"]
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.webhooks_dead_letter.id
    max_delivery_attempts = local.events_max_delivery_attempts
  }

  # Never delete the subscription for inactivity.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    # No attempt is spent before the function can answer, nor before a failed message can
    # be forwarded to the dead-letter topic.
    google_cloud_run_service_iam_member.events_push_invokes_events,
    google_pubsub_topic_iam_member.pubsub_agent_publishes_dead_letters,
  ]
}

# Where Pub/Sub moves a delivery that failed events_max_delivery_attempts times. Its pull
# subscription holds them for 7 days for the operator (terraform/README.md, "Dead
# letters"); a topic without a subscription would drop them.
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
