package events

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func st(status string) meta.MessageStatus {
	return meta.MessageStatus{ID: "wamid.A", Status: status}
}

func failedStatus(code int, title, details string) meta.MessageStatus {
	s := st("failed")
	e := meta.WebhookError{Code: code, Title: title}
	e.ErrorData.Details = details
	s.Errors = []meta.WebhookError{e}
	return s
}

// sentJob is a job dispatch recorded as sent at t0, with its wamid.
func sentJob() *domain.Job {
	j := &domain.Job{ID: "j", Status: domain.JobSent, ProviderMessageID: "wamid.A", ProviderStatus: "sent", SentAt: t0}
	j.AddEvent(t0, "sent", "")
	return j
}

func timeline(j *domain.Job) string {
	var s []string
	for _, e := range j.Timeline {
		s = append(s, e.Event)
	}
	return strings.Join(s, ",")
}

func TestApplyStatus(t *testing.T) {
	type step struct {
		st meta.MessageStatus
		at time.Time
	}
	cases := []struct {
		name     string
		job      func() *domain.Job
		steps    []step
		status   domain.JobStatus
		timeline string
		changed  bool // of the last step
		check    func(*domain.Job) bool
	}{
		{"delivered then read", sentJob, []step{{st("delivered"), sec(5)}, {st("read"), sec(9)}},
			domain.JobRead, "sent,delivered,read", true, nil},
		{"read without delivered", sentJob, []step{{st("read"), sec(9)}},
			domain.JobRead, "sent,read", true, nil},
		{"delivered after read: timed, the status stays read", sentJob, []step{{st("read"), sec(9)}, {st("delivered"), sec(5)}},
			domain.JobRead, "sent,delivered,read", true,
			func(j *domain.Job) bool { return j.ProviderStatusTimes["delivered"].Equal(sec(5)) }},
		{"played is read", sentJob, []step{{st("played"), sec(9)}},
			domain.JobRead, "sent,read", true, nil},
		{"duplicate status changes nothing", sentJob, []step{{st("delivered"), sec(5)}, {st("delivered"), sec(6)}},
			domain.JobDelivered, "sent,delivered", false,
			func(j *domain.Job) bool { return j.ProviderStatusTimes["delivered"].Equal(sec(5)) }},
		{"sent for a job recorded sent: only its time", sentJob, []step{{st("sent"), sec(1)}},
			domain.JobSent, "sent", true,
			func(j *domain.Job) bool { return j.ProviderStatusTimes["sent"].Equal(sec(1)) && j.SentAt.Equal(t0) }},
		{"failed after sent", sentJob, []step{{failedStatus(131047, "Re-engagement message", "More than 24 hours"), sec(4)}},
			domain.JobFailed, "sent,failed", true,
			func(j *domain.Job) bool {
				return j.ErrorCode == 131047 && j.ErrorTitle == "Re-engagement message" && j.ErrorDetails == "More than 24 hours" &&
					j.ReasonCode == domain.ReasonMetaError && j.Reason == ptbr.MetaError(131047) &&
					j.Timeline[len(j.Timeline)-1].Detail == j.Reason && j.ProviderStatus == "failed"
			}},
		{"failed after delivered: the job stays delivered, no failure on the timeline", sentJob,
			[]step{{st("delivered"), sec(5)}, {failedStatus(131026, "x", ""), sec(6)}},
			domain.JobDelivered, "sent,delivered", true,
			func(j *domain.Job) bool {
				return j.ReasonCode == "" && j.ErrorCode == 0 && !j.ProviderStatusTimes["failed"].IsZero()
			}},
		{"failed after read", sentJob, []step{{st("read"), sec(9)}, {failedStatus(131026, "x", ""), sec(10)}},
			domain.JobRead, "sent,read", true, nil},
		{"late sent after failed: timed and on the timeline, the job stays failed", func() *domain.Job {
			return &domain.Job{Status: domain.JobUnknown}
		}, []step{{failedStatus(131047, "t", ""), sec(4)}, {st("sent"), sec(2)}},
			domain.JobFailed, "sent,failed", true,
			func(j *domain.Job) bool { return j.ReasonCode == domain.ReasonMetaError && j.SentAt.Equal(sec(4)) }},
		{"late delivered after failed", sentJob,
			[]step{{failedStatus(131047, "t", ""), sec(4)}, {st("delivered"), sec(5)}},
			domain.JobFailed, "sent,failed,delivered", true,
			func(j *domain.Job) bool { return j.ReasonCode == domain.ReasonMetaError }},
		{"duplicate failed keeps the first error", sentJob,
			[]step{{failedStatus(131047, "first", ""), sec(4)}, {failedStatus(131026, "second", ""), sec(5)}},
			domain.JobFailed, "sent,failed", false,
			func(j *domain.Job) bool { return j.ErrorCode == 131047 && j.ErrorTitle == "first" }},
		{"failed without errors: code 0", sentJob, []step{{st("failed"), sec(4)}},
			domain.JobFailed, "sent,failed", true,
			func(j *domain.Job) bool {
				return j.ErrorCode == 0 && j.Reason == ptbr.MetaFailure(0, 0) && !strings.Contains(j.Reason, "token")
			}},
		{"Meta's long error text is bounded", sentJob,
			[]step{{failedStatus(131000, strings.Repeat("t", 100000), strings.Repeat("d", 100000)), sec(4)}},
			domain.JobFailed, "sent,failed", true,
			func(j *domain.Job) bool {
				return j.ErrorTitle == meta.ClipErrorText(strings.Repeat("t", 100000)) && len(j.ErrorDetails) < 100000
			}},
		{"status for a skipped job: stays skipped", func() *domain.Job {
			return &domain.Job{Status: domain.JobSkipped, ReasonCode: domain.ReasonKillSwitch}
		}, []step{{st("delivered"), sec(5)}},
			domain.JobSkipped, "delivered", true,
			func(j *domain.Job) bool { return j.ReasonCode == domain.ReasonKillSwitch && j.SentAt.IsZero() }},
		{"failure for a skipped job", func() *domain.Job {
			return &domain.Job{Status: domain.JobSkipped, ReasonCode: domain.ReasonKillSwitch}
		}, []step{{failedStatus(131047, "t", ""), sec(5)}},
			domain.JobFailed, "failed", true,
			func(j *domain.Job) bool { return j.ReasonCode == domain.ReasonMetaError }},
		{"outcome unknown: a status settles it and calls off the retry", func() *domain.Job {
			return &domain.Job{Status: domain.JobUnknown, NextRetryAt: sec(300), LeaseUntil: sec(30)}
		}, []step{{st("sent"), sec(2)}},
			domain.JobSent, "sent", true,
			func(j *domain.Job) bool {
				return j.NextRetryAt.IsZero() && j.LeaseUntil.IsZero() && j.SentAt.Equal(sec(2)) && j.ProviderMessageID == "wamid.A"
			}},
		{"unknown status word changes nothing", sentJob, []step{{st("deleted"), sec(2)}},
			domain.JobSent, "sent", false,
			func(j *domain.Job) bool { return len(j.ProviderStatusTimes) == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := c.job()
			var changed bool
			for _, s := range c.steps {
				changed = applyStatus(j, s.st, s.at)
			}
			if j.Status != c.status || timeline(j) != c.timeline || changed != c.changed || (c.check != nil && !c.check(j)) {
				t.Errorf("status %s timeline %s changed %v, want %s %s %v; job %+v", j.Status, timeline(j), changed, c.status, c.timeline, c.changed, j)
			}
			if string(j.Status) != j.ProviderStatus && j.Status != domain.JobSkipped {
				t.Errorf("provider status %q for %s", j.ProviderStatus, j.Status)
			}
		})
	}
}

// A status is how the job learns its wamid when the send's answer was lost (later
// statuses and taps find the job by it): it is set once, and never replaces a known one.
func TestApplyStatusLearnsWAMIDOnce(t *testing.T) {
	j := &domain.Job{Status: domain.JobUnknown}
	if changed := applyStatus(j, st("sent"), sec(1)); !changed || j.ProviderMessageID != "wamid.A" {
		t.Fatalf("first status: changed %v, job wamid %q", changed, j.ProviderMessageID)
	}
	if changed := applyStatus(j, st("sent"), sec(1)); changed || j.ProviderMessageID != "wamid.A" {
		t.Errorf("the same status again: changed %v, job wamid %q", changed, j.ProviderMessageID)
	}
	if applyStatus(j, st("delivered"), sec(2)); j.ProviderMessageID != "wamid.A" {
		t.Errorf("job wamid after delivered: %q", j.ProviderMessageID)
	}
	other := st("read")
	other.ID = "wamid.B"
	if applyStatus(j, other, sec(3)); j.ProviderMessageID != "wamid.A" {
		t.Errorf("a second wamid replaced the first: job %q", j.ProviderMessageID)
	}
}

// Pricing is kept from the first status that carries it.
func TestApplyStatusKeepsPricingOnce(t *testing.T) {
	j := sentJob()
	first := st("sent")
	first.Pricing = &meta.StatusPricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}
	first.Conversation = &meta.StatusConversation{ID: "conv-1"}
	first.Conversation.Origin.Type = "utility"
	applyStatus(j, first, sec(1))
	later := st("delivered")
	later.Pricing = &meta.StatusPricing{Billable: false, PricingModel: "CBP"}
	applyStatus(j, later, sec(2))
	want := domain.Pricing{Billable: true, Model: "PMP", Category: "utility", Type: "regular", ConversationID: "conv-1", ConversationOrigin: "utility"}
	if j.Pricing == nil || *j.Pricing != want {
		t.Errorf("pricing %+v, want %+v", j.Pricing, want)
	}
	if changed := applyStatus(j, later, sec(3)); changed {
		t.Error("a repeated status with pricing changed the job")
	}
}
