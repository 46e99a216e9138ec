#!/usr/bin/env bash
# Runs the whole system locally: emulators, stand-ins, every function and a demo tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh # what a fresh machine lacks (the Firebase CLI, …); quick when all is there
exec go run ./scripts/localstack "$@"
