// Command appreview writes the App Review evidence pack (docs/app-review/): it starts the
// local stack with the demo (the Firestore, Pub/Sub and Firebase Auth emulators unless
// the environment names running ones), drives the staff dashboard in headless Chromium
// through each permission's use, checks every screen shows what it should before
// taking its screenshots (360 and 1280 px), and writes a README.md with, per permission,
// a Portuguese and an English description, the screenshots and the reviewer's test
// steps. It fails loudly when a screen is wrong or empty.
//
//	go run ./scripts/appreview -out docs/app-review
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

	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/logging"
)

func main() {
	out := flag.String("out", "docs/app-review", "folder the screenshots and README.md are written to (its old PNGs are replaced)")
	verbose := flag.Bool("v", false, "the stack's logs on stderr")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logs := io.Discard
	if *verbose {
		logs = os.Stderr
	}
	hosts, cleanup, err := emulatorHosts(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "appreview:", err)
		os.Exit(1)
	}
	res, err := Run(ctx, Options{Out: *out, Emulators: hosts, Log: logging.New(logs, slog.LevelInfo)})
	cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "appreview:", err)
		os.Exit(1)
	}
	fmt.Printf("App Review evidence: %d screens, %d screenshots in %s (%v)\n", len(res.Screens), res.Files(), *out, res.Took.Round(time.Second))
}

// emulatorHosts are the emulators the environment names (FIRESTORE_EMULATOR_HOST, …;
// scripts/test.sh starts them) or ones started here, with what stops them.
func emulatorHosts(ctx context.Context) (Emulators, func(), error) {
	var h Emulators
	var stops []func()
	cleanup := func() {
		for _, s := range stops {
			s()
		}
	}
	logFile, err := os.CreateTemp("", "lembra-appreview-emulators-*.log")
	if err != nil {
		return h, cleanup, err
	}
	for _, e := range []struct {
		env   string
		host  *string
		start func(context.Context, string, io.Writer) (*emulators.Emulator, error)
	}{
		{"FIRESTORE_EMULATOR_HOST", &h.Firestore, emulators.StartFirestore},
		{"PUBSUB_EMULATOR_HOST", &h.PubSub, emulators.StartPubSub},
		{"FIREBASE_AUTH_EMULATOR_HOST", &h.Auth, emulators.StartAuth},
	} {
		if v := os.Getenv(e.env); v != "" {
			if err := emulators.Check(v); err != nil {
				cleanup()
				return h, func() {}, fmt.Errorf("%s=%s does not answer: %w", e.env, v, err)
			}
			*e.host = v
			continue
		}
		fmt.Fprintf(os.Stderr, "starting the emulator for %s (about 10 s; log %s)…\n", e.env, logFile.Name())
		emu, err := e.start(ctx, "", logFile)
		if err != nil {
			cleanup()
			return h, func() {}, fmt.Errorf("start the emulator for %s: %w", e.env, err)
		}
		stops = append(stops, emu.Stop)
		*e.host = emu.Host
	}
	return h, cleanup, nil
}
