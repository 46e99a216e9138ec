#!/usr/bin/env bash
# Runs the whole system locally: emulators, stand-ins, every function and a demo tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./scripts/localstack "$@"
