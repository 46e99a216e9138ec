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

// tenantPause is what one scan knows of a tenant's pause: each tenant is read once per
// scan, for the due and the orphaned reminders alike, and one that could not be read is
// not read again (its reminders wait for the next scan, counted failed once).
type tenantPause int

const (
	running tenantPause = iota + 1
	paused
	unreadable
)

type tenantPauses map[string]tenantPause

// unpaused returns, of a page of reminders in status st due by until (the scan's query
// result, at most BatchLimit), those whose tenant's scan is not paused; the others are
// counted in res.Paused and left exactly as they are. Reading each tenant once per scan (tenants),
// it reads further pages (at most maxPausedPages) while paused tenants' reminders leave
// the page short, so that they never hold back another tenant's. A tenant that cannot be
// read is left for the next scan (res.Failed).
func (s *Service) unpaused(ctx context.Context, st domain.JobStatus, until time.Time, page []*domain.Job, tenants tenantPauses, res *Result) []*domain.Job {
	var out []*domain.Job
	for pages := 0; ; pages++ {
		skipped := 0
		for _, j := range page {
			p, seen := tenants[j.TenantID]
			if !seen {
				t, err := s.Store.GetTenant(ctx, j.TenantID)
				switch {
				case errors.Is(err, domain.ErrNotFound):
					p = running
				case err != nil:
					s.Log.ErrorContext(ctx, "could not read a tenant; its reminders wait for the next scan", "tenant_id", j.TenantID, "error", err.Error())
					res.Failed++
					p = unreadable
				case ScanPaused(t):
					p = paused
				default:
					p = running
				}
				tenants[j.TenantID] = p
			}
			if p == unreadable {
				continue
			}
			if p == paused {
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
