#!/usr/bin/env bash
# Generates the Python and Go clients from openapi.yaml with openapi-generator and runs their smoke flows
# (clients/smoke/) against the API on a fresh local stack. CI runs it after `npm test`.
#   npm run clients:smoke
# Needs Java (11+), Maven, Go and Python 3 on the machine. The generator jar (from Maven Central) and the
# Python venv (from PyPI) go to .tools/, the generated clients to clients/generated/: both git-ignored.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"   # Node 24 and tsx, as npm scripts have them

GENERATOR_VERSION=7.25.0   # org.openapitools:openapi-generator-cli, the one pin
tools="$root/.tools"
out="$root/clients/generated"
jar="$tools/openapi-generator-cli-$GENERATOR_VERSION.jar"
mkdir -p "$tools"

if [ ! -f "$jar" ]; then
  echo "fetching openapi-generator-cli $GENERATOR_VERSION from Maven Central..." >&2
  mvn -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.openapitools:openapi-generator-cli:$GENERATOR_VERSION" -DoutputDirectory="$tools" \
    > "$tools/mvn.log" 2>&1 || { cat "$tools/mvn.log"; exit 1; }
fi

rm -rf "$out"
generate () { java -jar "$jar" generate -i openapi.yaml -o "$out/$1" -g "$@" > "$tools/generate-$1.log" || { cat "$tools/generate-$1.log"; exit 1; }; }
generate python --package-name microdrama_client
# enumClassPrefix: SeriesStatus and EpisodeStatus share values, which would clash as bare Go constants.
generate go --package-name microdrama --additional-properties enumClassPrefix=true --git-host microdrama.local --git-user-id clients --git-repo-id go

if [ ! -x "$tools/venv/bin/python" ]; then python3 -m venv "$tools/venv"; fi
"$tools/venv/bin/pip" install -q --disable-pip-version-check -r clients/smoke/requirements.txt
(cd clients/smoke/go && go build -o "$out/smoke-go" .)

export SMOKE_PYTHON="$tools/venv/bin/python" SMOKE_GO="$out/smoke-go" PYTHONPATH="$out/python"
exec tsx scripts/local-stack.ts run --fresh -- tsx scripts/clients-smoke.ts
