# The staff dashboard: the static site built into dashboard/dist (scripts/install-deps.sh
# runs its build), served from a Cloud Storage bucket over HTTPS, plus a config.json
# written here from Terraform's own values. The site talks only to the api function.
#
# Why a bucket and not Firebase Hosting: the google providers can create a Hosting site,
# version and release, but not upload the files of a version (that is the Hosting API's
# populateFiles and upload calls, which the Firebase CLI makes), so a Hosting deploy would
# need a step outside Terraform.
#
# The site's address is the bucket's virtual-hosted-style URL,
#   https://<bucket>.storage.googleapis.com/index.html
# (https://cloud.google.com/storage/docs/request-endpoints, "XML API"), not the path-style
# https://storage.googleapis.com/<bucket>/…: on the path-style host every public bucket of
# every Google Cloud customer shares one origin, and with it the browser storage where the
# Firebase JS SDK keeps the signed-in staff member's refresh token (IndexedDB is per
# origin), the origin the api's CORS list would admit, and the Referer the API key's
# restriction checks. The virtual-hosted host gives this bucket an origin of its own. The
# bucket name has no dots, so the *.storage.googleapis.com certificate covers it.
# The storage endpoints do not apply the bucket's website settings (main page, 404 page):
# the address names index.html, and the dashboard routes with the URL's #fragment, so
# no other path is ever requested for a page.

locals {
  dashboard_bucket = "${var.project}-lembra-dashboard"
  dashboard_origin = "https://${local.dashboard_bucket}.storage.googleapis.com"
  dashboard_url    = "${local.dashboard_origin}/index.html"
  dashboard_dist   = "${path.module}/../dashboard/dist"

  # Every file of the build except a config.json it may hold: the deployed config.json is
  # the object below, generated from this deployment's values.
  dashboard_files = setsubtract(fileset(local.dashboard_dist, "**"), ["config.json"])

  # Content types by file extension (GCS serves what the object says; without one it
  # guesses or answers application/octet-stream, which browsers refuse for scripts).
  # dashboard_test.go checks every file of the built site has its type here.
  dashboard_content_types = {
    html        = "text/html; charset=utf-8"
    js          = "text/javascript; charset=utf-8"
    mjs         = "text/javascript; charset=utf-8"
    css         = "text/css; charset=utf-8"
    json        = "application/json; charset=utf-8"
    map         = "application/json; charset=utf-8"
    webmanifest = "application/manifest+json; charset=utf-8"
    txt         = "text/plain; charset=utf-8"
    svg         = "image/svg+xml"
    png         = "image/png"
    ico         = "image/x-icon"
    webp        = "image/webp"
    woff2       = "font/woff2"
  }

  # Cache-Control. Public objects default to "public, max-age=3600"
  # (https://cloud.google.com/storage/docs/caching). The entry page and the configuration
  # must be re-checked on every load, or a deploy (new scripts, a new api URL) reaches
  # staff only an hour later. The build names its scripts and styles by their content's
  # hash (dashboard/build.mjs: <name>-<HASH>.js), so those never change under one name and
  # are kept for a year; anything else for 5 minutes.
  dashboard_no_cache    = "no-cache, max-age=0"
  dashboard_short_cache = "public, max-age=300"
  dashboard_long_cache  = "public, max-age=31536000, immutable"
  dashboard_hashed      = "-[A-Z0-9]{8}\\.(js|css)(\\.map)?$"

  # What the dashboard reads at start-up (the local stack serves the same keys, plus
  # auth_emulator_url). api_base: a deployed function is served at its root. firebase:
  # the Firebase JS SDK's options for Identity Platform's e-mail and password sign-in
  # (https://cloud.google.com/identity-platform/docs/sign-in-user-email): the browser API
  # key below, the auth domain Identity Platform sets up for the project, the project id.
  dashboard_config = jsonencode({
    api_base = local.function_urls["api"]
    # The privacy policy and terms of use (<base>/privacidade, <base>/termos), linked
    # from the sign-in page: the voucher function serves them.
    legal_base_url = local.voucher_base_url
    firebase = {
      apiKey     = google_apikeys_key.dashboard.key_string
      authDomain = "${var.project}.firebaseapp.com"
      projectId  = var.project
    }
  })
}

resource "google_project_service" "dashboard" {
  for_each = toset(["apikeys.googleapis.com"]) # the dashboard's browser API key

  project            = var.project
  service            = each.key
  disable_on_destroy = false
}

# The browser key of the Firebase JS SDK. Such keys are public by design (they identify
# the project, they grant nothing); restricted here to the two APIs sign-in uses (Identity
# Toolkit: sign-in and password reset; Secure Token: refreshing the ID token) and to pages
# of the dashboard's origin.
resource "google_apikeys_key" "dashboard" {
  name         = "lembra-dashboard"
  display_name = "Lembra dashboard (${var.environment})"
  project      = var.project

  restrictions {
    browser_key_restrictions {
      allowed_referrers = ["${local.dashboard_origin}/*"]
    }
    api_targets {
      service = "identitytoolkit.googleapis.com"
    }
    api_targets {
      service = "securetoken.googleapis.com"
    }
  }

  depends_on = [google_project_service.dashboard, google_project_service.enabled]
}

resource "google_storage_bucket" "dashboard" {
  name                        = local.dashboard_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  # The objects are public (below); "inherited" leaves an organisation policy that
  # enforces public access prevention in charge (README: the dashboard).
  public_access_prevention = "inherited"
  force_destroy            = true # only build output lives here

  website {
    main_page_suffix = "index.html"
  }

  depends_on = [google_project_service.enabled]
}

# Anyone may read an object, and nothing else: legacyObjectReader holds
# storage.objects.get only (objectViewer would also let anyone list the bucket).
# https://cloud.google.com/storage/docs/access-control/iam-roles
resource "google_storage_bucket_iam_member" "dashboard_public_read" {
  bucket = google_storage_bucket.dashboard.name
  role   = "roles/storage.legacyObjectReader"
  member = "allUsers"
}

resource "google_storage_bucket_object" "dashboard" {
  for_each = local.dashboard_files

  bucket        = google_storage_bucket.dashboard.name
  name          = each.value
  source        = "${local.dashboard_dist}/${each.value}"
  content_type  = lookup(local.dashboard_content_types, lower(reverse(split(".", each.value))[0]), "application/octet-stream")
  cache_control = each.value == "index.html" ? local.dashboard_no_cache : (can(regex(local.dashboard_hashed, each.value)) ? local.dashboard_long_cache : local.dashboard_short_cache)
}

resource "google_storage_bucket_object" "dashboard_config" {
  bucket        = google_storage_bucket.dashboard.name
  name          = "config.json"
  content       = local.dashboard_config
  content_type  = local.dashboard_content_types["json"]
  cache_control = local.dashboard_no_cache

  # Without a build the file objects' for_each would be empty and an apply would delete
  # the deployed site; this object always exists, so it carries the check.
  lifecycle {
    precondition {
      condition     = contains(local.dashboard_files, "index.html")
      error_message = "dashboard/dist holds no index.html: build the dashboard first (scripts/install-deps.sh)."
    }
  }
}

output "dashboard_url" {
  description = "The staff dashboard (sign-in page)."
  value       = local.dashboard_url
}
