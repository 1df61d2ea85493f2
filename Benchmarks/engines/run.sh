#!/usr/bin/env bash
# SegmentLab's `segment` against DuckDB, Polars and chDB (README.md beside this file).
# Creates a virtual environment in .build-engines/venv (git-ignored) with the pinned engines, then runs
# bench.py with the arguments given (`run.sh --help` lists them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/.build-engines"
venv="$work/venv"
requirements="$here/requirements.txt"

"$root/scripts/python-venv.sh" "$venv" "$requirements"

cd "$root"
exec "$venv/bin/python" "$here/bench.py" "$@"
