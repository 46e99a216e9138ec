// Command pacequeues sets every tenant's two send queues (shared/queue) to its number's
// cap with the shares and retry settings of the configuration, creating them where they
// do not exist yet. Run it after a `terraform apply` that changed a tasks_* variable (the
// queues keep their settings until paced again) or, once, after the upgrade to tenant
// queues, so no tenant's first send has to create them. It reads the configuration from
// the environment like the functions do (GOOGLE_CLOUD_PROJECT, LEMBRA_TASKS_*, …):
//
//	go run ./scripts/pacequeues            # every tenant
//	go run ./scripts/pacequeues -id studio-jana
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

func main() {
	id := flag.String("id", "", "pace only this tenant (default: every tenant)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pacequeues:", err)
		os.Exit(1)
	}
	env := app.New(cfg, nil)
	defer env.Close()
	st, err := env.Store(ctx)
	if err == nil {
		var tasks *queue.Tasks
		if tasks, err = env.Tasks(ctx); err == nil {
			_, err = paceAll(ctx, st, tasks, *id, os.Stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pacequeues:", err)
		os.Exit(1)
	}
}

// paceAll paces the queues of tenant `only` (every tenant when empty) and reports each
// on out; it returns how many it paced. A tenant that fails is reported and the others
// are still paced; the error names how many failed.
func paceAll(ctx context.Context, st *store.Store, p queue.Pacer, only string, out io.Writer) (int, error) {
	ids := []string{only}
	if only == "" {
		var err error
		if ids, err = st.TenantIDs(ctx); err != nil {
			return 0, err
		}
	}
	paced, failed := 0, 0
	for _, id := range ids {
		t, err := st.GetTenant(ctx, id)
		if err == nil {
			err = p.Pace(ctx, id, t.WhatsApp.Cap())
		}
		if err != nil {
			failed++
			fmt.Fprintf(out, "%s: not paced: %v\n", id, err)
			continue
		}
		paced++
		fmt.Fprintf(out, "%s: paced at %d msg/s\n", id, t.WhatsApp.Cap())
	}
	if failed > 0 {
		return paced, fmt.Errorf("%d of %d tenants not paced", failed, len(ids))
	}
	return paced, nil
}
