#!/usr/bin/env bash
# Creates or updates a Python virtual environment with pinned packages:
#
#   scripts/python-venv.sh VENV_DIR REQUIREMENTS.txt
#
# Without python3, or without `python3 -m venv` (Debian and Ubuntu ship venv and ensurepip apart from
# python3), installs them with apt-get first, through sudo when not root. The pins are installed
# again only when the requirements file changes (its hash is kept in VENV_DIR). Used by
# Benchmarks/engines/run.sh and Tests/SQL/run.sh.
set -euo pipefail

[ $# = 2 ] || {
	echo "usage: $0 VENV_DIR REQUIREMENTS.txt" >&2
	exit 2
}
venv="$1"
requirements="$2"

sudo_if_needed() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

python3 --version >/dev/null 2>&1 || {
	echo "installing python3 with apt-get" >&2
	sudo_if_needed apt-get update -qq
	sudo_if_needed apt-get install -y -qq python3
}

mkdir -p "$(dirname "$venv")"
if [ ! -x "$venv/bin/python" ]; then
	rm -rf "$venv"
	if ! python3 -m venv "$venv" 2>/dev/null; then
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
	echo "installing the pinned packages of $requirements into $venv" >&2
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
	echo "$want" >"$stamp"
fi
