# Staff sign-in: Identity Platform (Firebase Authentication) with e-mail and password.
# The api verifies ID tokens with the Firebase Admin SDK against Google's public keys;
# its disabled/revoked check reads the user (firebaseauth.users.get).
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/identity_platform_config
resource "google_identity_platform_config" "default" {
  project = var.project

  sign_in {
    allow_duplicate_emails = false

    email {
      enabled           = true
      password_required = true
    }
  }

  depends_on = [google_project_service.enabled]
}
