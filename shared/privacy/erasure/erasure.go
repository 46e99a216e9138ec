// Package erasure runs a deletion request: the client it names erased from each tenant
// (store.EraseClient), its unsent jobs skipped by the owner's discard rule
// (dispatch.DecideAction), and the progress recorded on the request, tenant by tenant.
// Running it again for the same request redoes nothing that is done.
package erasure

import (
	"context"
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

// Skip is the rule for an unsent job of an erased client: discarded (skipped) with the
// reason, as the owner's discard does it, so counters and the timeline agree; nil for a
// job that is not unsent.
func Skip(reason, by string, retry meta.RetryPolicy, now time.Time) func(*domain.Job) *domain.Job {
	return func(j *domain.Job) *domain.Job {
		d := dispatch.DecideAction(dispatch.ActionInput{Job: j, Action: dispatch.ActionDiscard, Reason: reason, By: by, Retry: retry, Now: now})
		if !d.Allowed {
			return nil
		}
		return d.Job
	}
}

// Run erases subject from every tenant in tenantIDs for the request code, recording each
// tenant's progress, then marks the request done. A tenant already done on the request
// is not erased again.
func Run(ctx context.Context, st *store.Store, code string, sub store.EraseSubject, tenantIDs []string, now func() time.Time) error {
	d, err := st.GetDeletion(ctx, code)
	if err != nil {
		return err
	}
	for _, tid := range tenantIDs {
		if d.Tenants[tid].Done {
			continue
		}
		p, err := st.EraseClient(ctx, tid, sub, now().UTC())
		if err != nil {
			return fmt.Errorf("erase in tenant %s: %w", tid, err)
		}
		if err := st.RecordDeletionProgress(ctx, code, tid, p); err != nil {
			return fmt.Errorf("record deletion progress: %w", err)
		}
	}
	return st.FinishDeletion(ctx, code, now().UTC())
}

// ReasonMeta is the discard reason of the Meta callback (owner's reason otherwise).
const ReasonMeta = "exclusão dos dados do cliente a pedido do titular"
