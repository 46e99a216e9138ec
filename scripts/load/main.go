// Command load drives the local stack at Meta's limits and reports how each tenant's
// number was paced: T tenants (some with coexistence numbers) each book M appointments
// through the booking API as fast as it takes them, a probe tenant joins during the
// load, and every notice runs its whole lifecycle (sent, delivered and read webhooks).
//
//	go run ./scripts/load                       # 5 tenants × 1,000, two coexistence
//	go run ./scripts/load -tenants 3 -messages 200 -scale 0.25
//
// It starts the Firestore and Pub/Sub emulators, or uses the ones FIRESTORE_EMULATOR_HOST
// and PUBSUB_EMULATOR_HOST name (for example those of a running scripts/dev.sh, on a
// project of its own so the demo's data is untouched), and runs the stand-ins and every
// function in this process, so it can count Firestore operations at the gRPC level.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/logging"
)

func main() {
	cfg := Config{}
	flag.IntVar(&cfg.Tenants, "tenants", 5, "load tenants")
	flag.IntVar(&cfg.Coexistence, "coexistence", 2, "how many of them have coexistence numbers (20 msg/s)")
	flag.IntVar(&cfg.Messages, "messages", 1000, "appointments (booking notices) per tenant")
	flag.Float64Var(&cfg.Scale, "scale", 1, "the numbers' caps as a fraction of Meta's (1: 80/s, 20/s for coexistence)")
	flag.IntVar(&cfg.Workers, "workers", 16, "concurrent API clients creating appointments")
	flag.Float64Var(&cfg.ProbeAfter, "probe-after", 0.25, "add the probe tenant once this fraction of the appointments exists")
	flag.IntVar(&cfg.Probes, "probes", 20, "the probe tenant's appointments")
	flag.DurationVar(&cfg.ProbeEvery, "probe-every", 250*time.Millisecond, "between two probe appointments")
	flag.DurationVar(&cfg.Timeout, "timeout", 20*time.Minute, "for the whole run")
	logPath := flag.String("log", "", "write the stack's log here (default: a temporary file)")
	flag.Parse()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	if err := run(cfg, *logPath); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(cfg Config, logPath string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var logFile *os.File
	var err error
	if logPath == "" {
		logFile, err = os.CreateTemp("", "lembra-load-*.log")
	} else {
		logFile, err = os.Create(logPath)
	}
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Printf("the stack's log: %s\n", logFile.Name())

	fsHost, psHost := os.Getenv("FIRESTORE_EMULATOR_HOST"), os.Getenv("PUBSUB_EMULATOR_HOST")
	if fsHost == "" || psHost == "" {
		fmt.Println("starting the Firestore and Pub/Sub emulators (about 10 s)…")
		fs, err := emulators.StartFirestore(ctx, "", logFile)
		if err != nil {
			return err
		}
		defer fs.Stop()
		ps, err := emulators.StartPubSub(ctx, "", logFile)
		if err != nil {
			return err
		}
		defer ps.Stop()
		fsHost, psHost = fs.Host, ps.Host
	} else {
		fmt.Printf("using the running emulators: Firestore %s, Pub/Sub %s\n", fsHost, psHost)
	}
	s, err := startStack(ctx, fsHost, psHost, logFile)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("load: %d tenants × %d appointments…\n", cfg.Tenants, cfg.Messages)
	r, err := Run(ctx, s, cfg)
	if err != nil {
		return err
	}
	r.Print(os.Stdout)
	return nil
}

// startStack starts the functions and the stand-ins as the local stack does, with
// Meta's pair rate, automatic statuses, and a project of the run's own.
func startStack(ctx context.Context, fsHost, psHost string, logTo io.Writer) (*devstack.Stack, error) {
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return devstack.Start(sctx, devstack.Options{
		FirestoreHost: fsHost, PubSubHost: psHost,
		Project:      fmt.Sprintf("lembra-load-%d", time.Now().Unix()),
		AutoStatuses: []string{"sent", "delivered", "read"},
		MetaPairRate: metastandin.PairRateWindow,
		Log:          logging.New(logTo, slog.LevelWarn),
		Configure: func(c *config.Config) {
			c.RetryBaseDelay = 5 * time.Second
			c.UnknownOutcomeWait = time.Minute
		},
	})
}
