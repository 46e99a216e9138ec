# APIs Lembra uses. Serviceusage and Cloud Resource Manager must already be on for Terraform
# to enable these (see README: "Before the first apply").
locals {
  services = toset([
    "artifactregistry.googleapis.com", # images built from the source zip
    "cloudbuild.googleapis.com",       # builds the functions
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtasks.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "identitytoolkit.googleapis.com", # Identity Platform: staff sign-in (identity.tf)
    "logging.googleapis.com",         # log-based metrics (monitoring.tf)
    "monitoring.googleapis.com",      # alert policies and their notification channel (monitoring.tf)
    "pubsub.googleapis.com",
    "run.googleapis.com", # gen2 functions are Cloud Run services
    "secretmanager.googleapis.com",
    "storage.googleapis.com", # source bucket
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project = var.project
  service = each.key

  # Turning an API off on destroy would break anything else in the project that uses it.
  disable_on_destroy = false
}
