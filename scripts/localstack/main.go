// Command localstack runs the whole of Lembra on this machine: the Firestore and
// Pub/Sub emulators, the Cloud Tasks, Secret Manager and Meta stand-ins, every function
// on one HTTP server, and a demo tenant with sample appointments. Ctrl-C stops it all.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
)

func main() {
	var (
		httpAddr      = flag.String("http", "127.0.0.1:8080", "functions (api, dispatch, …)")
		firestoreAddr = flag.String("firestore", "127.0.0.1:8681", "Firestore emulator")
		pubsubAddr    = flag.String("pubsub", "127.0.0.1:8682", "Pub/Sub emulator")
		tasksAddr     = flag.String("tasks", "127.0.0.1:8683", "Cloud Tasks stand-in (gRPC)")
		secretsAddr   = flag.String("secrets", "127.0.0.1:8684", "Secret Manager stand-in (gRPC)")
		metaAddr      = flag.String("meta", "127.0.0.1:8685", "Meta Graph API stand-in (HTTP)")
		authAddr      = flag.String("auth", "127.0.0.1:8686", "Firebase Auth emulator (unless FIREBASE_AUTH_EMULATOR_HOST names one)")
		mode          = flag.String("mode", "enabled", "WHATSAPP_AUTOMATION_MODE for the local functions")
	)
	flag.Parse()
	log := logging.New(os.Stdout, slog.LevelInfo)
	if err := run(log, *httpAddr, *firestoreAddr, *pubsubAddr, *tasksAddr, *secretsAddr, *metaAddr, *authAddr, *mode); err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, httpAddr, firestoreAddr, pubsubAddr, tasksAddr, secretsAddr, metaAddr, authAddr, mode string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logFile, err := os.CreateTemp("", "lembra-emulators-*.log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Printf("starting the Firestore and Pub/Sub emulators (about 10 s; their log: %s)…\n", logFile.Name())
	fs, err := emulators.StartFirestore(ctx, firestoreAddr, logFile)
	if err != nil {
		return err
	}
	defer fs.Stop()
	ps, err := emulators.StartPubSub(ctx, pubsubAddr, logFile)
	if err != nil {
		return err
	}
	defer ps.Stop()
	// The Firebase Auth emulator: the one FIREBASE_AUTH_EMULATOR_HOST names, or our own.
	authHost := os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")
	if authHost == "" {
		fmt.Println("starting the Firebase Auth emulator (about 10 s)…")
		au, err := emulators.StartAuth(ctx, authAddr, logFile)
		if err != nil {
			return err
		}
		defer au.Stop()
		authHost = au.Host
	} else if err := emulators.Check(authHost); err != nil {
		return fmt.Errorf("FIREBASE_AUTH_EMULATOR_HOST: %w", err)
	}

	m, err := domain.ParseMode(mode)
	if err != nil {
		return err
	}
	stack, err := devstack.Start(ctx, devstack.Options{
		FirestoreHost: fs.Host, PubSubHost: ps.Host, AuthHost: authHost, Project: emulators.AuthProject, AutoStatuses: []string{"sent", "delivered", "read"}, HTTPAddr: httpAddr, TasksAddr: tasksAddr, SecretsAddr: secretsAddr, MetaAddr: metaAddr,
		MetaPairRate: metastandin.PairRateWindow, // as strict as Meta: 131056 within 6 s to one client
		Log:          log,
		Configure: func(c *config.Config) {
			c.Mode = m
			c.RetryBaseDelay = 5 * time.Second
			c.UnknownOutcomeWait = time.Minute
		},
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	if _, err := stack.SeedDemo(ctx); err != nil {
		return fmt.Errorf("seed demo tenant: %w", err)
	}
	if _, err := stack.SeedDemoOwner(ctx); err != nil {
		return fmt.Errorf("seed demo owner: %w", err)
	}
	go stack.Schedule(ctx, time.Minute) // Cloud Scheduler runs it every 5 minutes; locally every minute
	fmt.Printf(`
Lembra is running locally.
  Dashboard       %[10]s   (sign in as %[7]s, password %[8]s)
  Booking API     %[1]s/api/v1/appointments   (Authorization: Bearer %[2]s)
  Dispatch        %[1]s/dispatch               (called by the Cloud Tasks stand-in)
  Webhook         %[1]s/webhook                (Meta stand-in posts signed statuses here)
  Reminder scan   %[1]s/reminders              (called every minute by the local scheduler)
  Meta stand-in   %[3]s/_standin/requests      (every message "sent" to WhatsApp)
  Firestore       %[4]s (emulator)   Pub/Sub %[5]s (emulator)
  Demo tenant     %[6]s
  Staff sign-in   %[7]s / %[8]s (owner of %[6]s; Firebase Auth emulator at %[9]s)
  Second studio   %[11]s / %[12]s (owner of %[13]s, no number yet: Ajustes › WhatsApp connects one through the Meta stand-in)
  Staff API       %[1]s/api/v1/staff/me        (Authorization: Bearer <ID token>)
Press Ctrl-C to stop.
`, stack.URL, devstack.DemoAPIKey, stack.MetaURL, fs.Host, ps.Host, devstack.DemoTenantID, devstack.DemoOwnerEmail, devstack.DemoOwnerPassword, authHost, stack.DashboardURL,
		devstack.DemoSecondOwnerEmail, devstack.DemoSecondOwnerPassword, devstack.DemoSecondTenantID)
	<-ctx.Done()
	fmt.Println("stopping…")
	return nil
}
