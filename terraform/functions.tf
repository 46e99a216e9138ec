data "google_project" "this" {
  project_id = var.project
}

locals {
  # The deployed functions. The map key is the function (and Cloud Run service) name, in
  # kebab-case so the generated Cloud Run service gets the same name; entry_point is the
  # name the Go package registers with functions.HTTP / functions.CloudEvent (the
  # EntryPoint constant of functions/<name>). indexes_test.go checks that every registered
  # entry point has an entry here and that every entry here is registered.
  functions = {
    # Booking API. Public at the IAM level: it authenticates tenant API keys itself.
    api = {
      entry_point   = "api"
      timeout       = 60
      max_instances = 10
      cpu           = null
      concurrency   = 1
      public        = true
      ingress       = "ALLOW_ALL"
      pubsub        = false
    }
    # Meta's webhook. Public: Meta calls it; the function checks X-Hub-Signature-256 itself.
    webhook = {
      entry_point   = "webhook"
      timeout       = 60
      max_instances = 20 # each request only checks the signature and publishes
      cpu           = "1"
      concurrency   = 40
      public        = true
      ingress       = "ALLOW_ALL"
      pubsub        = false
    }
    # Cloud Tasks target. Private: only the tasks service account may invoke it (OIDC); the
    # function verifies the token again itself.
    # The timeout covers the tasks' dispatch deadline (Meta timeout + 1 min, shared/app).
    # Every tenant's queues dispatch here, so it serves 40 requests per instance (each
    # mostly waits on Meta and Firestore) on up to 50 instances: 2,000 sends in flight,
    # several thousand a second (docs/scaling.md).
    dispatch = {
      entry_point   = "dispatch"
      timeout       = 120
      max_instances = 50
      cpu           = "1"
      concurrency   = 40
      public        = false
      ingress       = "ALLOW_INTERNAL_ONLY"
      pubsub        = false
    }
    # Reminder scan. Private: only the scheduler service account may invoke it (OIDC); the
    # function verifies the token again itself. The timeout matches the job's attempt_deadline.
    reminders = {
      entry_point   = "reminders"
      timeout       = 300
      max_instances = 1 # one scan at a time
      cpu           = null
      concurrency   = 1
      public        = false
      ingress       = "ALLOW_INTERNAL_ONLY"
      pubsub        = false
    }
    # Voucher page and image behind the links sent to clients. Public: the link's token is
    # unguessable (the function checks it).
    voucher = {
      entry_point   = "voucher"
      timeout       = 30
      max_instances = 10
      cpu           = null
      concurrency   = 1
      public        = true
      ingress       = "ALLOW_ALL"
      pubsub        = false
    }
    # Applies webhook deliveries, pushed by Pub/Sub (pubsub.tf).
    events = {
      entry_point   = "events"
      timeout       = 120
      max_instances = 20
      cpu           = "1"
      concurrency   = 40
      public        = false
      ingress       = "ALLOW_INTERNAL_ONLY"
      pubsub        = false
    }
  }

  # Dependency cycles, and how they are broken.
  #
  # Every function needs dispatch's URL (api, events and reminders enqueue tasks to it, and
  # dispatch re-enqueues its own retries), reminders needs its own URL as the OIDC audience
  # it verifies, and the scheduler job needs reminders' URL. Reading those from
  # google_cloudfunctions2_function.fn[...].service_config[0].uri would make a function's
  # environment depend on itself (dispatch, reminders), which Terraform rejects as a cycle.
  #
  # Cloud Run gives every service a deterministic URL,
  #   https://<service name>-<project number>.<region>.run.app
  # (cloud.google.com/run/docs/triggering/https-request#deterministic; needs the
  # "<name>-<number>" DNS label to be at most 63 characters, true for these names), and a
  # gen2 function's Cloud Run service carries the function's name. So the URLs are computed
  # here from the project number and region, before any function exists, and used for every
  # URL and OIDC audience (env vars, Cloud Tasks tasks, the scheduler job). Cloud Run
  # accepts ID tokens whose audience is one of the service's run.app URLs. URL and audience
  # are the same string everywhere, so the in-code audience check of reminders matches what
  # the scheduler sends.
  function_urls = {
    for name in keys(local.functions) :
    name => "https://${name}-${data.google_project.this.number}.${var.region}.run.app"
  }

  # A custom domain in front of the voucher function, if given; else its run.app URL.
  voucher_base_url = var.voucher_base_url != "" ? trimsuffix(var.voucher_base_url, "/") : local.function_urls["voucher"]

  tasks_location = "projects/${var.project}/locations/${var.region}"

  # The same configuration for every function (config.Load reads it all; each function uses
  # its part). The optional settings are set only when given: the code reads an empty
  # variable and an unset one alike, and leaving them out avoids sending empty values.
  environment_variables = merge(
    {
      GOOGLE_CLOUD_PROJECT = var.project
      LEMBRA_ENVIRONMENT   = var.environment

      WHATSAPP_AUTOMATION_MODE                         = var.automation_mode
      WHATSAPP_AUTOMATION_MAX_RETRIES                  = tostring(var.max_retries)
      WHATSAPP_AUTOMATION_RETRY_BASE_DELAY_SECONDS     = tostring(var.retry_base_delay_seconds)
      WHATSAPP_AUTOMATION_BATCH_LIMIT                  = tostring(var.batch_limit)
      WHATSAPP_AUTOMATION_META_API_VERSION             = var.meta_api_version
      WHATSAPP_AUTOMATION_UNKNOWN_OUTCOME_WAIT_SECONDS = tostring(var.unknown_outcome_wait_seconds)

      # Cloud Tasks: where dispatch tasks go and how they authenticate.
      LEMBRA_TASKS_LOCATION               = local.tasks_location
      LEMBRA_TASKS_QUEUE_PREFIX           = var.tasks_queue_prefix
      LEMBRA_TASKS_FALLBACK_QUEUE         = "${local.tasks_location}/queues/${google_cloud_tasks_queue.dispatch.name}"
      LEMBRA_TASKS_NOW_SHARE_PERCENT      = tostring(var.tasks_now_share_percent)
      LEMBRA_TASKS_REMINDER_SHARE_PERCENT = tostring(var.tasks_reminder_share_percent)
      LEMBRA_TASKS_MAX_ATTEMPTS           = tostring(var.tasks_max_attempts)
      LEMBRA_TASKS_MIN_BACKOFF_SECONDS    = tostring(var.tasks_min_backoff_seconds)
      LEMBRA_TASKS_MAX_BACKOFF_SECONDS    = tostring(var.tasks_max_backoff_seconds)
      LEMBRA_TASKS_MAX_DOUBLINGS          = tostring(var.tasks_max_doublings)
      LEMBRA_DISPATCH_URL                 = local.function_urls["dispatch"]
      LEMBRA_TASKS_SERVICE_ACCOUNT        = google_service_account.tasks.email
      LEMBRA_TASKS_AUDIENCE               = local.function_urls["dispatch"]

      # Webhook: the topic deliveries are published to, and the secrets' ids (read from
      # Secret Manager at run time, not injected as environment variables).
      LEMBRA_WEBHOOK_TOPIC        = google_pubsub_topic.webhooks.name
      LEMBRA_META_APP_SECRET_ID   = google_secret_manager_secret.meta_app_secret.secret_id
      LEMBRA_META_VERIFY_TOKEN_ID = google_secret_manager_secret.meta_verify_token.secret_id

      # Reminder scan: who may call it, with which audience, and how far it looks ahead.
      LEMBRA_SCHEDULER_SERVICE_ACCOUNT = google_service_account.scheduler.email
      LEMBRA_REMINDERS_AUDIENCE        = local.function_urls["reminders"]
      LEMBRA_REMINDER_HORIZON_SECONDS  = tostring(var.reminder_horizon_seconds)

      # Links sent to clients are <base>/<token>; the voucher function serves /<token>.
      LEMBRA_VOUCHER_BASE_URL = local.voucher_base_url

      # The staff dashboard's origin (dashboard.tf), the only one the api admits by CORS.
      LEMBRA_DASHBOARD_ORIGINS = local.dashboard_origin

      # The public pages' operator, contact and data protection officer (voucher's
      # /privacidade and /termos), required in prod.
      LEMBRA_OPERATOR_NAME = var.operator_name
      LEMBRA_CONTACT_EMAIL = var.contact_email
      LEMBRA_DPO_NAME      = var.dpo_name
    },
    length(var.allowed_tenant_ids) > 0 ? { WHATSAPP_AUTOMATION_ALLOWED_TENANT_IDS = join(",", var.allowed_tenant_ids) } : {},
    var.test_recipient != "" ? { WHATSAPP_AUTOMATION_META_TEST_RECIPIENT = var.test_recipient } : {},
    # The Meta app's id, for connecting studios' numbers after Embedded Signup (api) and
    # the daily token check (reminders).
    var.meta_app_id != "" ? { LEMBRA_META_APP_ID = var.meta_app_id } : {},
    # Embedded Signup in the dashboard (api's GET /v1/staff/whatsapp offers it only with
    # both the app id and the configuration id); the SDK URL and the accepted message
    # origins keep the code's defaults unless given.
    var.meta_es_config_id != "" ? { LEMBRA_META_ES_CONFIG_ID = var.meta_es_config_id } : {},
    var.meta_sdk_url != "" ? { LEMBRA_META_SDK_URL = var.meta_sdk_url } : {},
    length(var.meta_signup_origins) > 0 ? { LEMBRA_META_SIGNUP_ORIGINS = join(",", var.meta_signup_origins) } : {},
  )
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.key
  location    = var.region
  description = "Lembra ${each.key} (${var.environment})"

  build_config {
    runtime         = "go126"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory = "256M"
    available_cpu    = each.value.cpu # null: Cloud Run's default for the memory
    # More than one request per instance needs at least one CPU:
    # https://cloud.google.com/functions/docs/configuring/concurrency
    max_instance_request_concurrency = each.value.concurrency
    timeout_seconds                  = each.value.timeout
    min_instance_count               = 0
    max_instance_count               = each.value.max_instances
    ingress_settings                 = each.value.ingress # README: "Ingress"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.fn[each.key].email # iam.tf
    environment_variables            = local.environment_variables
  }

  # No event_trigger: events is an HTTP function fed by the push subscription in
  # pubsub.tf, which, unlike the subscription of an Eventarc trigger, carries a
  # dead-letter policy.

  depends_on = [
    google_project_service.enabled,
    time_sleep.iam_settle,
    # Each function's identity can do its job from the first request (iam.tf).
    google_project_iam_member.firestore,
    google_project_iam_member.tenant_queues,
    google_service_account_iam_member.acts_as_tasks,
    google_secret_manager_secret_iam_member.webhook_reads_app_secret,
    google_secret_manager_secret_iam_member.webhook_reads_verify_token,
    google_pubsub_topic_iam_member.webhook_publishes,
    google_project_iam_member.dispatch_reads_tenant_tokens,
    google_firestore_database.default,
    # The voucher lookup's collection-group index, built before the code that queries it.
    google_firestore_field.appointments_voucher_token,
  ]
}
