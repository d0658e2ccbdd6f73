#!/usr/bin/env bash
# The whole suite: once on SQLite, once on PostgreSQL (a fresh database per run).
# Tests marked `once` (pyproject.toml) cannot depend on the database: pure functions, a
# page's layout and wiring in the browser, servers on a SQLite database of their own. They
# run in the SQLite pass only. Anything that writes through SQL where the two databases
# differ (locks, dedupe, search, concurrency, crash and kill tests) is never marked `once`.
# Set SANGDAM_REQUIRE_POSTGRES=1 (CI does) to fail instead of skipping when PostgreSQL is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL_BASE=${SANGDAM_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}

echo "== pytest on SQLite"
$BIN/pytest -q "$@"

if $BIN/python - "$PG_URL_BASE" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL at {sys.argv[1]} is not reachable: {exc}")
    sys.exit(1)
PY
then
  db="sangdam_ci_$$_$(date +%s)"
  echo "== pytest on PostgreSQL (database test_$db)"
  DATABASE_URL="$PG_URL_BASE/$db" $BIN/pytest -q --create-db -m "not once" "$@"
elif [ "${SANGDAM_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required (SANGDAM_REQUIRE_POSTGRES=1) but not reachable" >&2
  exit 1
else
  echo "== SKIPPED the PostgreSQL pass: no PostgreSQL server at $PG_URL_BASE"
fi
