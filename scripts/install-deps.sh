#!/usr/bin/env bash
# Installs what a fresh machine lacks to build, run and test Lembra. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
# Debian's Chromium, for the dashboard's browser tests (headless, driven from Go).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# Its locale pack: without it Chromium runs in en-US whatever --lang says, and date and
# time inputs show mm/dd/yyyy and AM/PM instead of dd/mm/aaaa and 24 hours.
[ -f /usr/lib/chromium/locales/pt-BR.pak ] || need_apt+=(chromium-l10n)
if ! command -v gcloud >/dev/null 2>&1; then
  echo "install-deps: gcloud is missing. Install the Google Cloud CLI with its emulator components" >&2
  echo "  (google-cloud-cli, google-cloud-cli-firestore-emulator, google-cloud-cli-pubsub-emulator)" >&2
  echo "  from Google's apt repository: https://cloud.google.com/sdk/docs/install#deb" >&2
  exit 1
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}"
fi
for c in go gcloud java; do
  command -v "$c" >/dev/null 2>&1 || { echo "install-deps: $c is still missing" >&2; exit 1; }
done
# The emulators ship as gcloud components; check they are there.
gcloud_root=$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")
for comp in cloud-firestore-emulator pubsub-emulator; do
  [ -d "$gcloud_root/platform/$comp" ] || { echo "install-deps: gcloud component $comp is missing under $gcloud_root/platform" >&2; exit 1; }
done
go mod download
# The Firebase Auth emulator (npm firebase-tools, the version pinned in
# scripts/internal/emulators/node/package-lock.json), for staff sign-in in the tests and
# the local stack. It needs Node and npm.
for c in node npm; do
  command -v "$c" >/dev/null 2>&1 || { echo "install-deps: $c is missing (Node 20 or newer, for the Firebase Auth emulator)" >&2; exit 1; }
done
firebase_dir=scripts/internal/emulators/node
if ! "$firebase_dir/node_modules/.bin/firebase" --version 2>/dev/null | grep -qx "$(node -p "require('./$firebase_dir/package-lock.json').packages['node_modules/firebase-tools'].version")"; then
  (cd "$firebase_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The staff dashboard (dashboard/): npm ci from its lockfile when node_modules is missing
# or was installed from another lockfile, then the esbuild build into dashboard/dist when
# a source is newer than the last build (a few hundred ms; nothing when up to date).
dash=dashboard
if ! cmp -s "$dash/package-lock.json" "$dash/node_modules/.lembra-lockfile" 2>/dev/null; then
  (cd "$dash" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.lembra-lockfile)
fi
if [ ! -f "$dash/dist/index.html" ] || [ -n "$(find "$dash/src" "$dash/index.html" "$dash/build.mjs" "$dash/package-lock.json" -newer "$dash/dist/index.html" -print -quit)" ]; then
  (cd "$dash" && node build.mjs)
fi
