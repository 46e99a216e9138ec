package reminders

import (
	"context"
	"errors"

	"github.com/lembra-app/lembra/shared/domain"
)

// ScanPaused reports whether the reminder scan leaves a tenant's reminders alone: its
// owner paused the scan (domain.Tenant.ScanPause, e.g. while she drains the queue). A
// tenant that does not exist is not paused (dispatch drops its jobs).
func ScanPaused(t *domain.Tenant) bool { return t != nil && t.ScanPause.Paused }

// unpaused returns the jobs whose tenant's scan is not paused, reading each tenant once
// per call; the others are counted in res.Paused and left exactly as they are. A tenant
// that cannot be read is left for the next scan (res.Failed).
func (s *Service) unpaused(ctx context.Context, jobs []*domain.Job, res *Result) []*domain.Job {
	paused := map[string]bool{}
	out := jobs[:0:0]
	for _, j := range jobs {
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
			continue
		}
		out = append(out, j)
	}
	return out
}
