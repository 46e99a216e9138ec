package devstack_test

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestOutcomeAnswerLostStillRetries: a send's outcome is written without a
// transaction, conditional on the job's update time. When Firestore applies that write
// but its answer is lost, the client retries the commit, which its own first write now
// refuses; the outcome is then found already stored and kept, with the retry it
// scheduled, instead of being recorded a second time as "settled elsewhere" with no
// retry (the notice would have stayed queued for good).
func TestOutcomeAnswerLostStillRetries(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 500})
	// The first commit without a transaction that writes a job is the outcome of the
	// first attempt (the booking and the claim are transactions; no status came yet).
	s.LoseCommitAnswer(func(r *firestorepb.CommitRequest) bool {
		if len(r.GetTransaction()) != 0 {
			return false
		}
		for _, w := range r.GetWrites() {
			if strings.Contains(w.GetUpdate().GetName(), "/tenants/"+ten.ID+"/jobs/") {
				return true
			}
		}
		return false
	})
	before := s.FirestoreOps()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("lost-answer-1", time.Now().Add(50*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	job := waitJob(t, s, ten.ID, jobID, 15*time.Second, final)
	if c := s.FirestoreOps().Sub(before)["Commit"]; c.Conflicts < 1 {
		t.Fatalf("no commit was refused by its own first write (the lost answer did not happen): %+v", c)
	}
	if job.Status != domain.JobSent {
		t.Fatalf("status %s (%s), attempts %+v", job.Status, job.Reason, job.Attempts)
	}
	if len(job.Attempts) != 2 || job.Attempts[0].Outcome != "retry" || job.Attempts[0].HTTPStatus != 500 || job.Attempts[1].Outcome != "sent" {
		t.Errorf("attempts %+v, want a retry after the 500, then sent", job.Attempts)
	}
	if n := len(s.Meta.Requests()); n != 2 {
		t.Errorf("Meta got %d requests, want 2", n)
	}
}
