#!/usr/bin/env bash
# Runs every test: vet, then `go test ./...` with the Firestore, Pub/Sub and Firebase Auth emulators
# started once for the whole run (tests that need them fail loudly without them).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh # what a fresh machine lacks (the Firebase CLI, …); quick when all is there
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go build -o /tmp/lembra-emulators ./scripts/emulators
exec /tmp/lembra-emulators -- go test -count=1 -timeout 15m "$@" ./...
