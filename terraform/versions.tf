terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0"
    }
    # Doublestar glob excludes (`**/*_test.go`) in archive_file arrived in 2.5.0.
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.5.0"
    }
    # time_sleep: lets freshly granted IAM roles and new service agents settle before the
    # first function build (the pattern of the provider's cloudfunctions2_basic_builder example).
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}
