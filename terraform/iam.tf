# Identities. Each caller of a private function has its own service account, so that
# run.invoker can be granted function by function.

# What the functions run as.
resource "google_service_account" "runtime" {
  account_id   = "lembra-runtime"
  display_name = "Lembra functions (runtime)"

  depends_on = [google_project_service.enabled]
}

# Identity of the OIDC token on Cloud Tasks tasks (LEMBRA_TASKS_SERVICE_ACCOUNT).
resource "google_service_account" "tasks" {
  account_id   = "lembra-tasks"
  display_name = "Lembra Cloud Tasks invoker of dispatch"

  depends_on = [google_project_service.enabled]
}

# Identity of the OIDC token on the reminder scan job (LEMBRA_SCHEDULER_SERVICE_ACCOUNT).
resource "google_service_account" "scheduler" {
  account_id   = "lembra-scheduler"
  display_name = "Lembra Cloud Scheduler invoker of reminders"

  depends_on = [google_project_service.enabled]
}

# Identity Eventarc uses to push Pub/Sub messages to the events function.
resource "google_service_account" "events_trigger" {
  account_id   = "lembra-events-trigger"
  display_name = "Lembra Eventarc trigger of events"

  depends_on = [google_project_service.enabled]
}

# Identity of the function builds (Cloud Build). A dedicated account keeps the build
# independent of the default compute service account, whose roles vary between projects.
resource "google_service_account" "build" {
  account_id   = "lembra-build"
  display_name = "Lembra function builds"

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------
# Runtime

resource "google_project_iam_member" "runtime" {
  for_each = toset([
    "roles/datastore.user",               # Firestore reads and writes
    "roles/cloudtasks.enqueuer",          # api, events, reminders and dispatch (retries) create tasks
    "roles/secretmanager.secretAccessor", # Meta app secret, verify token and every meta-token-<tenant>
    "roles/logging.logWriter",            # structured logs
  ])

  project = var.project
  role    = each.key
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# The webhook publishes deliveries to the topic.
resource "google_pubsub_topic_iam_member" "runtime_publishes_webhooks" {
  topic  = google_pubsub_topic.webhooks.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Creating a task with an OIDC token for the tasks account needs iam.serviceAccounts.actAs
# on that account.
resource "google_service_account_iam_member" "runtime_acts_as_tasks" {
  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime.email}"
}

# ---------------------------------------------------------------------------------------
# Invokers (gen2 functions are Cloud Run services: invocation is Cloud Run IAM)

# api and webhook authenticate callers themselves.
resource "google_cloud_run_service_iam_member" "public" {
  for_each = { for name, f in local.functions : name => f if f.public }

  location = google_cloudfunctions2_function.fn[each.key].location
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "tasks_invokes_dispatch" {
  location = google_cloudfunctions2_function.fn["dispatch"].location
  service  = google_cloudfunctions2_function.fn["dispatch"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks.email}"
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes_reminders" {
  location = google_cloudfunctions2_function.fn["reminders"].location
  service  = google_cloudfunctions2_function.fn["reminders"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_run_service_iam_member" "events_trigger_invokes_events" {
  location = google_cloudfunctions2_function.fn["events"].location
  service  = google_cloudfunctions2_function.fn["events"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.events_trigger.email}"
}

resource "google_project_iam_member" "events_trigger_receives" {
  project = var.project
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.events_trigger.email}"
}

# ---------------------------------------------------------------------------------------
# Build

# The roles of the provider's cloudfunctions2_basic_builder example: write build logs, push
# the image, read the staged source.
resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectAdmin",
  ])

  project = var.project
  role    = each.key
  member  = "serviceAccount:${google_service_account.build.email}"
}

# New roles and new service agents (Cloud Build, Eventarc, Pub/Sub, right after their APIs
# are enabled) take a moment to be effective; the first build waits for them.
resource "time_sleep" "iam_settle" {
  create_duration = "60s"

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build,
    google_project_iam_member.events_trigger_receives,
  ]
}
