#!/usr/bin/env bash
# Builds the local MongoDB-wire server (FerretDB, SQLite backend), the local S3 server (MinIO), Stripe's API
# mock (stripe-mock), the local mail catcher (Mailpit) and Helm (for the chart's tests) from the Go module proxy, at the versions pinned in
# tools/*/go.mod (checked against their go.sum). Binaries land in .stack/bin (git-ignored) and are reused; the
# first build takes a few minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.stack/bin"
mkdir -p "$bin"
export GOFLAGS=-buildvcs=false

if [ ! -x "$bin/ferretdb" ]; then
  echo "building FerretDB (first run only)..." >&2
  # FerretDB refuses to start unless build/version/version.txt is present in its own main module,
  # and a module cache copy is read-only: build from a private copy of the verified module source.
  version=$(cd "$root/tools/ferretdb" && go list -m -f '{{.Version}}' github.com/FerretDB/FerretDB)
  src=$(cd "$root/tools/ferretdb" && go mod download -json github.com/FerretDB/FerretDB | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  work="$root/.stack/src/ferretdb"
  rm -rf "$work" && mkdir -p "$(dirname "$work")" && cp -r "$src" "$work" && chmod -R u+w "$work"
  echo "$version" > "$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$bin/ferretdb.tmp" ./cmd/ferretdb)
  mv "$bin/ferretdb.tmp" "$bin/ferretdb"
  rm -rf "$work"
fi

if [ ! -x "$bin/minio" ]; then
  echo "building MinIO (first run only, about 5 minutes on 2 cores)..." >&2
  (cd "$root/tools/minio" && go build -trimpath -o "$bin/minio.tmp" github.com/minio/minio)
  mv "$bin/minio.tmp" "$bin/minio"
fi

if [ ! -x "$bin/stripe-mock" ]; then
  echo "building stripe-mock (first run only, under a minute)..." >&2
  (cd "$root/tools/stripe-mock" && go build -trimpath -o "$bin/stripe-mock.tmp" github.com/stripe/stripe-mock)
  mv "$bin/stripe-mock.tmp" "$bin/stripe-mock"
fi

if [ ! -x "$bin/mailpit" ]; then
  echo "building Mailpit (first run only, about 2 minutes on 2 cores)..." >&2
  (cd "$root/tools/mailpit" && go build -trimpath -o "$bin/mailpit.tmp" github.com/axllent/mailpit)
  mv "$bin/mailpit.tmp" "$bin/mailpit"
fi

if [ ! -x "$bin/helm" ]; then
  echo "building Helm (first run only, about 3 minutes on 2 cores)..." >&2
  (cd "$root/tools/helm" && go build -trimpath -o "$bin/helm.tmp" helm.sh/helm/v4/cmd/helm)
  mv "$bin/helm.tmp" "$bin/helm"
fi
