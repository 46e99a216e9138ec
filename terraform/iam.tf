# Identities. Each function runs as its own service account holding only what its code
# uses, and each caller of a private function has its own account, so that run.invoker
# can be granted function by function. iam_test.go derives what each function uses from
# its Go code (the clients its Handler takes from app.Env) and checks the grants below.

# What each function runs as: lembra-<function>.
resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "lembra-${each.key}"
  display_name = "Lembra ${each.key} function (runtime)"

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

# Identity of the function builds (Cloud Build). A dedicated account keeps the build
# independent of the default compute service account, whose roles vary between projects.
resource "google_service_account" "build" {
  account_id   = "lembra-build"
  display_name = "Lembra function builds"

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------
# What each function may do

locals {
  # Firestore. Its IAM has no per-collection roles, so these are project-level.
  # roles/datastore.user (read and write entities) is the narrowest predefined role that
  # writes; roles/datastore.viewer reads only. voucher only reads.
  firestore_roles = {
    api       = "roles/datastore.user"
    dispatch  = "roles/datastore.user"
    events    = "roles/datastore.user"
    reminders = "roles/datastore.user"
    voucher   = "roles/datastore.viewer"
    webhook   = "roles/datastore.user" # the data deletion callback (functions/webhook/datadeletion.go)
  }

  # The functions that create dispatch tasks: api (notices), events (button answers),
  # reminders (the scan) and dispatch (its own retries). They may enqueue on the dispatch
  # queue only, and act as the tasks account, whose OIDC token every task carries
  # (creating such a task needs iam.serviceAccounts.actAs on that account:
  # https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#OidcToken).
  task_creators = toset(["api", "dispatch", "events", "reminders"])

  # Tenants' Meta tokens are the secrets meta-token-<tenant> (scripts/tenant creates them;
  # shared/tenants.TokenSecretID). IAM conditions name Secret Manager resources with the
  # project NUMBER: projects/<number>/secrets/<id>[/versions/<v>]
  # (https://cloud.google.com/secret-manager/docs/access-control#conditions).
  tenant_token_secrets = "projects/${data.google_project.this.number}/secrets/meta-token-"
}

resource "google_project_iam_member" "firestore" {
  for_each = local.firestore_roles

  project = var.project
  role    = each.value
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# The task creators create tasks on the tenants' queues and create and re-pace those
# queues (shared/queue: UpdateQueue creates a queue that does not exist). The queues are
# made at run time, so the grant is on the project; the role leaves out deleting,
# purging and pausing queues and reading or deleting tasks. Permissions:
# https://cloud.google.com/tasks/docs/reference-access-control
resource "google_project_iam_custom_role" "tenant_queues" {
  project     = var.project
  role_id     = "lembraTenantQueues"
  title       = "Lembra: create and pace tenant queues, enqueue tasks"
  permissions = ["cloudtasks.queues.create", "cloudtasks.queues.get", "cloudtasks.queues.update", "cloudtasks.tasks.create"]
}

resource "google_project_iam_member" "tenant_queues" {
  for_each = local.task_creators

  project = var.project
  role    = google_project_iam_custom_role.tenant_queues.name
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_service_account_iam_member" "acts_as_tasks" {
  for_each = local.task_creators

  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# webhook reads its two secrets, and nothing else.
resource "google_secret_manager_secret_iam_member" "webhook_reads_app_secret" {
  secret_id = google_secret_manager_secret.meta_app_secret.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["webhook"].email}"
}

resource "google_secret_manager_secret_iam_member" "webhook_reads_verify_token" {
  secret_id = google_secret_manager_secret.meta_verify_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["webhook"].email}"
}

# webhook publishes deliveries to the webhook topic.
resource "google_pubsub_topic_iam_member" "webhook_publishes" {
  topic  = google_pubsub_topic.webhooks.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["webhook"].email}"
}

# dispatch reads the tenants' tokens: every secret whose name starts with meta-token-,
# including those of tenants onboarded after this apply, and no other secret.
# api verifies staff ID tokens with the revocation check, which reads the user
# (firebaseauth.users.get): Firebase Authentication Viewer.
resource "google_project_iam_member" "api_reads_auth_users" {
  project = var.project
  role    = "roles/firebaseauth.viewer"
  member  = "serviceAccount:${google_service_account.fn["api"].email}"
}

# api adds staff members (POST /v1/staff/members, owner only): it creates the Firebase
# user by e-mail (firebaseauth.users.create) and asks for a password reset link
# (accounts:sendOobCode, firebaseauth.users.sendEmail). The predefined roles holding
# these (roles/firebaseauth.admin, roles/firebaseauth.editor) also delete users and read
# and change the project's auth configuration and its secrets (firebaseauth.configs.*):
# a custom role holds just the two
# (https://cloud.google.com/iam/docs/roles-permissions/firebaseauth).
resource "google_project_iam_custom_role" "api_adds_staff" {
  project     = var.project
  role_id     = "lembraApiAddsStaff"
  title       = "Lembra api: add staff members"
  permissions = ["firebaseauth.users.create", "firebaseauth.users.sendEmail"]
}

resource "google_project_iam_member" "api_adds_staff" {
  project = var.project
  role    = google_project_iam_custom_role.api_adds_staff.name
  member  = "serviceAccount:${google_service_account.fn["api"].email}"
}

resource "google_project_iam_member" "dispatch_reads_tenant_tokens" {
  project = var.project
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.fn["dispatch"].email}"

  condition {
    title       = "tenant-meta-tokens"
    description = "Only the secrets meta-token-<tenant>"
    expression  = "resource.name.startsWith(\"${local.tenant_token_secrets}\")"
  }
}

# reminders runs the daily token check (POST /token-check, shared/tokencheck): it asks
# Meta's debug_token about every studio's token with the app token, so it reads the app
# secret and the tenants' tokens, through the same meta-token- prefix condition as
# dispatch, and no other secret.
resource "google_secret_manager_secret_iam_member" "reminders_reads_app_secret" {
  secret_id = google_secret_manager_secret.meta_app_secret.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["reminders"].email}"
}

resource "google_project_iam_member" "reminders_reads_tenant_tokens" {
  project = var.project
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.fn["reminders"].email}"

  condition {
    title       = "tenant-meta-tokens"
    description = "Only the secrets meta-token-<tenant>"
    expression  = "resource.name.startsWith(\"${local.tenant_token_secrets}\")"
  }
}

# No function has roles/logging.logWriter: what the code logs goes to stdout, which Cloud
# Run sends to Cloud Logging itself (https://cloud.google.com/run/docs/logging); nothing
# calls the Logging API.

# ---------------------------------------------------------------------------------------
# Invokers (gen2 functions are Cloud Run services: invocation is Cloud Run IAM)

# api, webhook and voucher are public: they check their callers themselves (API key,
# signature, unguessable link).
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

# New roles and new service agents (Cloud Build, Pub/Sub, right after their APIs
# are enabled) take a moment to be effective; the first build waits for them.
resource "time_sleep" "iam_settle" {
  create_duration = "60s"

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build,
  ]
}

# api finishes a studio's WhatsApp connection (POST /v1/staff/whatsapp/connect): it reads
# the Meta app secret for the Embedded Signup code exchange and debug_token, and stores
# the business token as a new version of the studio's own secret meta-token-<tenant>
# (created on first use), which a resumed attempt reads back. A custom role holds just
# that (secrets.create, versions.add, versions.access), conditioned on the tenant-token
# prefix as dispatch's read is; it is no grant on any other secret. UNCONFIRMED: whether
# IAM evaluates resource.name against the new secret's name for secrets.create (Secret
# Manager's condition attributes: https://cloud.google.com/secret-manager/docs/access-control#conditions);
# if not, the operator creates meta-token-<tenant> beforehand (scripts/tenant does).
resource "google_secret_manager_secret_iam_member" "api_reads_app_secret" {
  secret_id = google_secret_manager_secret.meta_app_secret.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["api"].email}"
}

resource "google_project_iam_custom_role" "api_stores_tenant_tokens" {
  project     = var.project
  role_id     = "lembraApiStoresTenantTokens"
  title       = "Lembra api: store tenants' Meta tokens"
  permissions = ["secretmanager.secrets.create", "secretmanager.versions.add", "secretmanager.versions.access"]
}

resource "google_project_iam_member" "api_stores_tenant_tokens" {
  project = var.project
  role    = google_project_iam_custom_role.api_stores_tenant_tokens.name
  member  = "serviceAccount:${google_service_account.fn["api"].email}"

  condition {
    title       = "tenant-meta-tokens"
    description = "Only the secrets meta-token-<tenant>"
    expression  = "resource.name.startsWith(\"${local.tenant_token_secrets}\")"
  }
}
