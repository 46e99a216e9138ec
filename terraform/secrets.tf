# Secrets the code reads from Secret Manager at run time (latest version, cached briefly).
# Terraform creates the secrets only, never their values: the operator adds versions with
# gcloud (README), so no secret ever lands in Terraform state.
#
# Tenants' Meta access tokens are secrets too (meta-token-<tenant>), created by
# scripts/tenant; dispatch reads them through a secretAccessor binding conditioned on that
# name prefix (iam.tf). webhook reads only the two secrets below.

# Meta App Secret: checks X-Hub-Signature-256 on webhook POSTs.
resource "google_secret_manager_secret" "meta_app_secret" {
  secret_id = "meta-app-secret"

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

# The verify token typed into Meta's App Dashboard; answers the webhook's GET handshake.
resource "google_secret_manager_secret" "meta_verify_token" {
  secret_id = "meta-webhook-verify-token"

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}
