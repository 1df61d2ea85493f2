#!/usr/bin/env bash
# The SQL checks (README.md beside this file): the query of `segmentlab sql` against
# `segmentlab segment` on PostgreSQL, DuckDB and ClickHouse (chDB).
#
# Prepares the virtual environment in .build-sql/venv (git-ignored) with the pinned engines, starts a
# throwaway PostgreSQL server (postgres.sh), runs check.py with the arguments given, and stops the
# server and removes its folder on the way out, however it ends. Builds nothing: it runs
# .build/debug/segmentlab (`make test-sql` builds it first). Exit status 0 only if every case matched
# on every engine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.build-sql/venv"

[ -x "$root/.build/debug/segmentlab" ] || {
	echo "run.sh: $root/.build/debug/segmentlab is missing; build it first: swift build --product segmentlab" >&2
	exit 1
}

"$root/scripts/python-venv.sh" "$venv" "$here/requirements.txt"

# A short path under /tmp: the server's socket lives in it, and as root the server's own account
# must be able to reach it.
pgdir="$(mktemp -d "/tmp/segmentlab-pg.XXXXXX")"
stop_postgres() {
	"$here/postgres.sh" stop "$pgdir"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$here/postgres.sh" start "$pgdir"

cd "$root"
status=0
"$venv/bin/python" "$here/check.py" --postgres "$pgdir" "$@" || status=$?
exit "$status"
