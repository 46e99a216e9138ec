# One source archive of the whole module serves every function: Google's Go buildpack builds
# the package at the root of the upload (deploy.go, which blank-imports every functions/*
# package), and each function picks its registered entry point (GoogleCloudPlatform/buildpacks,
# cmd/go/functions_framework/lib/lib.go: https://github.com/GoogleCloudPlatform/buildpacks).
#
# The buildpack runs `go mod tidy` over every package in the archive, so everything kept
# must compile from what is kept: local-only code (scripts/, with the stand-ins, the local
# stack and the emulators under scripts/internal, which Go's internal rule keeps product
# packages from importing) and tests are left out (indexes_test.go checks this).
data "archive_file" "source" {
  type        = "zip"
  source_dir  = "${path.module}/.."
  output_path = "${path.module}/.build/lembra-source.zip"

  # Doublestar globs on paths relative to source_dir; a matching directory is skipped whole.
  excludes = [
    "terraform", # this directory, including .build/ (the archive itself) and .terraform/
    ".git",
    ".github",
    ".ci",
    "dashboard",
    "scripts", # commands, and scripts/internal: stand-ins, the local stack, the emulators
    "docs",
    ".gitignore",
    "**/*.md",
    "**/*_test.go",
    "**/testdata",
  ]
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project}-lembra-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  depends_on = [google_project_service.enabled]
}

# Named by content hash: a source change gives a new object name, which changes
# build_config.source and makes every function rebuild; an unchanged tree changes nothing.
resource "google_storage_bucket_object" "source" {
  name   = "lembra-source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
