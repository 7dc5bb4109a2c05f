#!/usr/bin/env bash
# Fuzz the JSON API against its own OpenAPI schema: no 5xx, no response outside the schema.
# Runs a real gunicorn on a throwaway SQLite database; rate limits are lifted for the run.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PERINATAL_VAR_DIR="$work/var" DATABASE_URL="sqlite:///$work/var/st.sqlite3"
export PERINATAL_RATE_SCREENING="1000000/h" PERINATAL_RATE_CALLBACK="1000000/h" \
  PERINATAL_RATE_BOOKING="1000000/h" PERINATAL_RATE_MANAGE="1000000/h"
mkdir -p "$PERINATAL_VAR_DIR"
uv run perinatal migrate -v 0
uv run perinatal demo >/dev/null
# --limit-request-line 0: an over-long fuzzed query string must reach the API's own validation
# (a 422 the schema documents) instead of stopping at gunicorn's 4 kB request-line limit (414).
uv run gunicorn perinatal.wsgi --bind "127.0.0.1:$port" --workers 2 --no-control-socket \
  --limit-request-line 0 --log-level warning >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

status=0
uv run st --config-file .ci/schemathesis.toml run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --wait-for-schema 30 --checks all --phases examples,coverage,fuzzing,stateful \
  --max-examples 100 --seed 1 --warnings off || status=$?
if grep -q "Traceback" "$work/server.log"; then
  echo "The server logged a traceback during the schemathesis run:"; cat "$work/server.log"; status=1
fi
exit $status
