resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"

  delete_protection_state = var.firestore_delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # terraform destroy leaves the database (and its data) in place.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.enabled]
}

# Composite indexes of the code's queries. The emulator does not enforce indexes, so
# indexes_test.go keeps this file and the queries in step.
#
# Single-field queries need nothing here: jobs where appointment_id == X
# (store.jobsQuery) and messages ordered by at use the automatic single-field
# indexes; so do the staff dashboard's one-field reads in shared/store/panel.go: a day's
# appointments (starts_at range and order), their jobs (appointment_id in …), the client
# search (client_phone ==, client_name prefix range).

# The voucher lookup (store.VoucherAppointment):
#   CollectionGroup("appointments").Where("voucher_token", "==", token).Limit(2)
# A single-field equality, but over the collection group: Firestore creates the
# automatic single-field indexes with COLLECTION scope only, so the COLLECTION_GROUP
# ascending index is declared here as a single-field override. An index_config replaces
# the inherited automatic indexes of the field, so it lists the two it keeps
# (COLLECTION ascending and descending; the automatic array-contains one is left out:
# voucher_token is a string). Its create is a long-running operation the provider
# waits for (20 minutes' timeout), so the functions, which depend on this resource
# (functions.tf), are not deployed before the index serves. Resource reference:
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/firestore_field
# (index overrides: https://cloud.google.com/firestore/docs/query-data/indexing).
# TestVoucherLookupHasItsFieldIndex keeps this in step with the code.
resource "google_firestore_field" "appointments_voucher_token" {
  database   = google_firestore_database.default.name
  collection = "appointments"
  field      = "voucher_token"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION"
    }
    indexes {
      order       = "DESCENDING"
      query_scope = "COLLECTION"
    }
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}

# The reminder scan (store.DueReminders):
#   CollectionGroup("jobs").Where("type", "==", …).Where("status", "==", …)
#     .Where("scheduled_for", "<=", …).OrderBy("scheduled_for")
resource "google_firestore_index" "jobs_due_reminders" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

# The Mensagens panel (store.PanelJobs), on one tenant's jobs (COLLECTION scope):
#   Collection("tenants/{t}/jobs")[.Where("type", "==", …)].Where("status", "in", …)
#     [.Where(f, ">=", …)][.Where(f, "<", …)].OrderBy(f, d).OrderBy(__name__, d)
# with f = scheduled_for, d = ascending for the queue, and f = updated_at, d = descending
# for the history. Firestore appends __name__ in the last field's direction itself.
# TestPanelQueriesHaveIndexes keeps these four in step with the code.
resource "google_firestore_index" "jobs_panel_queue" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_queue_type" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_history" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "DESCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_history_type" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "DESCENDING"
  }
}

# A whole view of the panel (no status filter) selects by the job's settled flag
# (domain.Job.Settled, Status.Final()), one equality instead of an `in` over statuses.
resource "google_firestore_index" "jobs_panel_queue_settled" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "settled"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_queue_settled_type" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "settled"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_history_settled" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "settled"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "DESCENDING"
  }
}

resource "google_firestore_index" "jobs_panel_history_settled_type" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "settled"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "DESCENDING"
  }
}

# The owner's queue drain for one client (store.drainQueries): client_phone == before the
# queue's type == / status in and the scheduled_for range and order. Without a client it
# uses the panel's queue indexes above.
resource "google_firestore_index" "jobs_drain_client" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "client_phone"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "jobs_drain_client_type" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "client_phone"
    order      = "ASCENDING"
  }
  fields {
    field_path = "type"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduled_for"
    order      = "ASCENDING"
  }
}

# The Mensagens chart (store.DailyCounts), count aggregations on one tenant's jobs per
# day: sent_at, provider_status_times.delivered and provider_status_times.read ranges use
# the automatic single-field indexes; the failures of a day,
#   Where("status", "==", "failed").Where("updated_at", ">=", …).Where("updated_at", "<", …)
# need status + updated_at ascending (the history's index is descending).
resource "google_firestore_index" "jobs_daily_failed" {
  database    = google_firestore_database.default.name
  collection  = "jobs"
  query_scope = "COLLECTION"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }
}
