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

sudo_if_needed() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

python3 --version >/dev/null 2>&1 || {
	echo "installing python3 with apt-get" >&2
	sudo_if_needed apt-get update -qq
	sudo_if_needed apt-get install -y -qq python3
}

mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
	rm -rf "$venv"
	if ! python3 -m venv "$venv" 2>/dev/null; then
		# Debian and Ubuntu ship venv (with ensurepip) apart from python3.
		rm -rf "$venv"
		echo "installing python3-venv with apt-get" >&2
		sudo_if_needed apt-get update -qq
		version="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
		sudo_if_needed apt-get install -y -qq python3-venv || sudo_if_needed apt-get install -y -qq "python$version-venv"
		python3 -m venv "$venv"
	fi
fi

# Install (again) only when the pins changed.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	echo "installing the engines into $venv" >&2
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
	echo "$want" >"$stamp"
fi

cd "$root"
exec "$venv/bin/python" "$here/bench.py" "$@"
