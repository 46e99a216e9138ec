variable "project" {
  description = "Google Cloud project id that hosts Lembra (Firestore, functions, queue, secrets)."
  type        = string
}

variable "region" {
  description = "Region of the functions, the Cloud Tasks queue, the Cloud Scheduler job and the source bucket."
  type        = string
  default     = "southamerica-east1"
}

variable "firestore_location" {
  description = "Location of the (default) Firestore database: a region (southamerica-east1) or a multi-region (nam5, eur3). Cannot change after creation."
  type        = string
  default     = "southamerica-east1"
}

variable "environment" {
  description = "Environment name shown in logs (LEMBRA_ENVIRONMENT), e.g. prod or staging."
  type        = string
  default     = "prod"
}

variable "automation_mode" {
  description = "Environment-wide WHATSAPP_AUTOMATION_MODE: disabled, dry_run or enabled. The stricter of this and each tenant's mode applies."
  type        = string
  default     = "disabled"

  validation {
    condition     = contains(["disabled", "dry_run", "enabled"], var.automation_mode)
    error_message = "automation_mode must be disabled, dry_run or enabled."
  }
}

variable "allowed_tenant_ids" {
  description = "Tenants allowed to send (WHATSAPP_AUTOMATION_ALLOWED_TENANT_IDS). Empty: every tenant."
  type        = list(string)
  default     = []
}

variable "test_recipient" {
  description = "Development only: E.164 number that receives every send (WHATSAPP_AUTOMATION_META_TEST_RECIPIENT). Empty: off."
  type        = string
  default     = ""

  validation {
    condition     = var.test_recipient == "" || can(regex("^\\+[1-9][0-9]{7,14}$", var.test_recipient))
    error_message = "test_recipient must be empty or an E.164 number such as +5511987654321."
  }
}

variable "voucher_base_url" {
  description = "Base of voucher links sent to clients (LEMBRA_VOUCHER_BASE_URL), e.g. a custom domain mapped to the voucher function. Empty: the voucher function's run.app URL."
  type        = string
  default     = ""
}

variable "meta_api_version" {
  description = "Graph API version (WHATSAPP_AUTOMATION_META_API_VERSION)."
  type        = string
  default     = "v23.0"

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+$", var.meta_api_version))
    error_message = "meta_api_version must look like v23.0."
  }
}

variable "max_retries" {
  description = "Retries after the first attempt for retryable send failures (WHATSAPP_AUTOMATION_MAX_RETRIES, 0..50)."
  type        = number
  default     = 5
}

variable "retry_base_delay_seconds" {
  description = "First retry delay in seconds; doubles each retry, capped at 1 h (WHATSAPP_AUTOMATION_RETRY_BASE_DELAY_SECONDS)."
  type        = number
  default     = 30
}

variable "batch_limit" {
  description = "Reminders enqueued per scan (WHATSAPP_AUTOMATION_BATCH_LIMIT, 1..5000)."
  type        = number
  default     = 200
}

variable "unknown_outcome_wait_seconds" {
  description = "How long a send whose answer was lost waits for a status webhook before it is tried again (WHATSAPP_AUTOMATION_UNKNOWN_OUTCOME_WAIT_SECONDS)."
  type        = number
  default     = 900
}

variable "reminder_horizon_seconds" {
  description = "How far ahead the reminder scan looks (LEMBRA_REMINDER_HORIZON_SECONDS). Keep it above the 5-minute schedule."
  type        = number
  default     = 600
}

variable "firestore_delete_protection" {
  description = "Turn on Firestore delete protection for the (default) database."
  type        = bool
  default     = true
}

# The public pages (the voucher function's /privacidade and /termos; shared/legal) name
# the company that runs Lembra, where to write, and its data protection officer. Required:
# config.Load refuses prod without them.
variable "operator_name" {
  description = "Company that runs Lembra, named by the privacy policy and the terms of use as the studios' operator under the LGPD (LEMBRA_OPERATOR_NAME), e.g. \"Lembra Tecnologia Ltda.\"."
  type        = string

  validation {
    condition     = trimspace(var.operator_name) != ""
    error_message = "operator_name is required: the privacy policy and the terms of use name it."
  }
}

variable "contact_email" {
  description = "E-mail the public pages give for privacy requests and support (LEMBRA_CONTACT_EMAIL), e.g. privacidade@lembra.com.br."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s<>()\\[\\],;:\"]+@[^@\\s<>()\\[\\],;:\"]+\\.[^@\\s<>()\\[\\],;:\".]+$", var.contact_email))
    error_message = "contact_email must be an e-mail address such as privacidade@lembra.com.br."
  }
}

variable "dpo_name" {
  description = "The data protection officer (encarregado, LGPD art. 41) the privacy policy names (LEMBRA_DPO_NAME)."
  type        = string

  validation {
    condition     = trimspace(var.dpo_name) != ""
    error_message = "dpo_name is required: the privacy policy names the data protection officer."
  }
}

variable "meta_app_id" {
  description = "The Meta app's id (App Dashboard), for the Embedded Signup code exchange when a studio connects her number and for the daily token check (LEMBRA_META_APP_ID); empty: connecting from the dashboard is not available and the token-check job is not created."
  type        = string
  default     = ""
}

variable "meta_es_config_id" {
  description = "The Embedded Signup configuration id (App Dashboard > Facebook Login for Business > Configurations) the dashboard launches Embedded Signup with (LEMBRA_META_ES_CONFIG_ID); with meta_app_id, the owner's Settings offer \"Conectar WhatsApp\". Empty: not offered."
  type        = string
  default     = ""

  validation {
    condition     = var.meta_es_config_id == "" || can(regex("^[0-9]+$", var.meta_es_config_id))
    error_message = "meta_es_config_id must be empty or the configuration's numeric id."
  }
}

variable "meta_sdk_url" {
  description = "The Facebook JS SDK the dashboard loads for Embedded Signup (LEMBRA_META_SDK_URL). Empty: the code's default, https://connect.facebook.net/en_US/sdk.js."
  type        = string
  default     = ""

  validation {
    condition     = var.meta_sdk_url == "" || can(regex("^https://[^\\s]+$", var.meta_sdk_url))
    error_message = "meta_sdk_url must be empty or an https:// URL."
  }
}

variable "meta_signup_origins" {
  description = "Origins whose WA_EMBEDDED_SIGNUP message events the dashboard accepts (LEMBRA_META_SIGNUP_ORIGINS, joined with commas). Empty: the code's default, https://www.facebook.com and https://web.facebook.com."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.meta_signup_origins : can(regex("^https://[^/\\s]+$", o))])
    error_message = "meta_signup_origins must be origins such as https://www.facebook.com (https, no path)."
  }
}

# The tenants' Cloud Tasks queues (tasks.tf, docs/scaling.md).
variable "tasks_queue_prefix" {
  description = "Tenant queue ids start with it (LEMBRA_TASKS_QUEUE_PREFIX): 1 to 12 lowercase letters, digits or hyphens."
  type        = string
  default     = "send"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.tasks_queue_prefix))
    error_message = "tasks_queue_prefix must be 1 to 12 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tasks_now_share_percent" {
  description = "Share of a number's throughput cap its notice lane (booking and cancellation notices, answers) dispatches at (LEMBRA_TASKS_NOW_SHARE_PERCENT)."
  type        = number
  default     = 95

  validation {
    condition     = var.tasks_now_share_percent >= 1 && var.tasks_now_share_percent <= 99 && floor(var.tasks_now_share_percent) == var.tasks_now_share_percent
    error_message = "tasks_now_share_percent must be a whole number from 1 to 99."
  }
}

variable "tasks_reminder_share_percent" {
  description = "Share of a number's throughput cap its reminder lane dispatches at (LEMBRA_TASKS_REMINDER_SHARE_PERCENT); with the notice lane's, at most 100."
  type        = number
  default     = 4
  # Their sum is checked by a precondition in tasks.tf (a variable's validation may name
  # other variables only from Terraform 1.9; versions.tf allows 1.5).

  validation {
    condition     = var.tasks_reminder_share_percent >= 1 && var.tasks_reminder_share_percent <= 99 && floor(var.tasks_reminder_share_percent) == var.tasks_reminder_share_percent
    error_message = "tasks_reminder_share_percent must be a whole number from 1 to 99."
  }
}

variable "tasks_max_attempts" {
  description = "Cloud Tasks attempts per task on the tenant queues (LEMBRA_TASKS_MAX_ATTEMPTS)."
  type        = number
  default     = 20

  validation {
    condition     = var.tasks_max_attempts >= 1 && var.tasks_max_attempts <= 100 && floor(var.tasks_max_attempts) == var.tasks_max_attempts
    error_message = "tasks_max_attempts must be a whole number from 1 to 100."
  }
}

variable "tasks_min_backoff_seconds" {
  description = "Cloud Tasks' first retry delay on the tenant queues (LEMBRA_TASKS_MIN_BACKOFF_SECONDS)."
  type        = number
  default     = 10

  validation {
    condition     = var.tasks_min_backoff_seconds > 0
    error_message = "tasks_min_backoff_seconds must be positive."
  }
}

variable "tasks_max_backoff_seconds" {
  description = "Cloud Tasks' longest retry delay on the tenant queues (LEMBRA_TASKS_MAX_BACKOFF_SECONDS)."
  type        = number
  default     = 600

  validation {
    condition     = var.tasks_max_backoff_seconds > 0 && var.tasks_max_backoff_seconds <= 604800
    error_message = "tasks_max_backoff_seconds must be positive and at most a week."
  }
}

variable "tasks_max_doublings" {
  description = "How many times Cloud Tasks doubles the retry delay before growing it linearly (LEMBRA_TASKS_MAX_DOUBLINGS)."
  type        = number
  default     = 5

  validation {
    condition     = var.tasks_max_doublings >= 0 && var.tasks_max_doublings <= 16 && floor(var.tasks_max_doublings) == var.tasks_max_doublings
    error_message = "tasks_max_doublings must be a whole number from 0 to 16."
  }
}
