// Command emulators starts the Firestore, Pub/Sub and Firebase Auth emulators, runs a
// command with FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST and
// FIREBASE_AUTH_EMULATOR_HOST set, and stops them when it ends:
//
//	go run ./scripts/emulators -- go test ./...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/emulators"
)

func main() {
	pubsub := flag.Bool("pubsub", true, "also start the Pub/Sub emulator")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: emulators [-pubsub=false] -- command [args…]")
		os.Exit(2)
	}
	os.Exit(run(*pubsub, flag.Args()))
}

func run(pubsub bool, args []string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logFile, err := os.CreateTemp("", "lembra-emulators-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		return 1
	}
	defer logFile.Close()
	fs, err := emulators.StartFirestore(ctx, "", logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		return 1
	}
	defer fs.Stop()
	os.Setenv("FIRESTORE_EMULATOR_HOST", fs.Host)
	if pubsub {
		ps, err := emulators.StartPubSub(ctx, "", logFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "emulators:", err)
			return 1
		}
		defer ps.Stop()
		os.Setenv("PUBSUB_EMULATOR_HOST", ps.Host)
	}
	au, err := emulators.StartAuth(ctx, "", logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		return 1
	}
	defer au.Stop()
	os.Setenv("FIREBASE_AUTH_EMULATOR_HOST", au.Host)
	fmt.Fprintf(os.Stderr, "emulators: Firestore at %s, Pub/Sub at %s, Firebase Auth at %s (their log: %s)\n", fs.Host, os.Getenv("PUBSUB_EMULATOR_HOST"), au.Host, logFile.Name())

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		return 1
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		return 1
	}
	return 0
}
