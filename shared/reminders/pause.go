package reminders

import (
	"context"
	"errors"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// ScanPaused reports whether the reminder scan leaves a tenant's reminders alone: its
// owner paused the scan (domain.Tenant.ScanPause, e.g. while she drains the queue). A
// tenant that does not exist is not paused (dispatch drops its jobs).
func ScanPaused(t *domain.Tenant) bool { return t != nil && t.ScanPause.Paused }

// maxPausedPages bounds how many more pages of reminders one scan reads past those of
// paused tenants.
const maxPausedPages = 5

// unpaused returns, of a page of reminders in status st due by until (the scan's query
// result, at most BatchLimit), those whose tenant's scan is not paused; the others are
// counted in res.Paused and left exactly as they are. Reading each tenant once per call,
// it reads further pages (at most maxPausedPages) while paused tenants' reminders leave
// the page short, so that they never hold back another tenant's. A tenant that cannot be
// read is left for the next scan (res.Failed).
func (s *Service) unpaused(ctx context.Context, st domain.JobStatus, until time.Time, page []*domain.Job, res *Result) []*domain.Job {
	paused := map[string]bool{}
	var out []*domain.Job
	for pages := 0; ; pages++ {
		skipped := 0
		for _, j := range page {
			p, seen := paused[j.TenantID]
			if !seen {
				t, err := s.Store.GetTenant(ctx, j.TenantID)
				switch {
				case errors.Is(err, domain.ErrNotFound):
					t = nil
				case err != nil:
					s.Log.ErrorContext(ctx, "could not read a tenant; its reminders wait for the next scan", "tenant_id", j.TenantID, "error", err.Error())
					res.Failed++
					continue
				}
				p = ScanPaused(t)
				paused[j.TenantID] = p
			}
			if p {
				res.Paused++
				skipped++
				continue
			}
			out = append(out, j)
		}
		if skipped == 0 || len(page) < s.BatchLimit || len(out) >= s.BatchLimit || pages >= maxPausedPages {
			return out
		}
		next, err := s.Store.RemindersAfter(ctx, st, until, page[len(page)-1], s.BatchLimit)
		if err != nil {
			s.Log.ErrorContext(ctx, "could not read the reminders after a paused tenant's; the next scan tries again", "error", err.Error())
			return out
		}
		page = next
	}
}
