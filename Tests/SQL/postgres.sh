#!/usr/bin/env bash
# A throwaway PostgreSQL server for the SQL checks (README.md beside this file).
#
#   postgres.sh start DIR   creates DIR (it must be missing or empty), runs initdb in DIR/data and
#                           starts the server on a Unix socket in DIR only (no TCP); writes DIR/env
#                           (PSQL, PGHOST, PGPORT, PGUSER, PGDATABASE, one KEY=value a line)
#   postgres.sh stop DIR    stops that server and removes DIR; safe to call on a half-started DIR,
#                           an empty one, twice, or on a DIR that no longer exists; refuses a DIR
#                           that `start` did not make
#
# Installs Debian's postgresql with apt-get when initdb cannot be found (through sudo when not root).
# initdb and the server refuse to run as root, so as root both run as an unprivileged account:
# `postgres` when the package created it, else `nobody`. The caller owns the clean-up: call `stop`
# from a trap (run.sh does). A `start` that fails removes what it made before returning.
set -euo pipefail

# The marker that lets `stop` delete DIR: it removes only folders `start` made.
marker=.segmentlab-postgres
# Unix sockets are named DIR/.s.PGSQL.<port>; the port only names the file, nothing listens on TCP.
port=5432
role=segmentlab

usage() {
	echo "usage: $0 start DIR | stop DIR" >&2
	exit 2
}

sudo_if_needed() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The folder of initdb, pg_ctl and psql of one installation.
find_bindir() {
	local initdb dir
	if initdb="$(command -v initdb 2>/dev/null)"; then
		dir="$(dirname "$(readlink -f "$initdb")")"
		if [ -x "$dir/pg_ctl" ]; then
			echo "$dir"
			return
		fi
	fi
	# Debian keeps them in /usr/lib/postgresql/VERSION/bin, off PATH; take the newest version.
	dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
	if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
		echo "$dir"
	fi
}

# The account the server runs as: ourselves, or when we are root an unprivileged one.
server_user() {
	if [ "$(id -u)" != 0 ]; then
		id -un
	elif id -u postgres >/dev/null 2>&1; then
		echo postgres
	else
		echo nobody
	fi
}

# Runs a command as the server's account, from inside DIR (the caller's folder may be closed to it).
as_server() {
	local user="$1"
	shift
	if [ "$(id -u)" = 0 ]; then
		(cd "$dir" && runuser -u "$user" -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

start() {
	bindir="$(find_bindir)"
	if [ -z "$bindir" ]; then
		echo "postgres.sh: installing postgresql with apt-get" >&2
		sudo_if_needed apt-get update -qq
		sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		bindir="$(find_bindir)"
		[ -n "$bindir" ] || {
			echo "postgres.sh: no initdb after installing postgresql" >&2
			exit 1
		}
	fi
	psql="$bindir/psql"
	[ -x "$psql" ] || psql="$(command -v psql)" || {
		echo "postgres.sh: no psql next to $bindir/initdb nor on PATH" >&2
		exit 1
	}

	if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
		echo "postgres.sh: $dir is not empty; give a new or empty folder" >&2
		exit 2
	fi
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	: >"$dir/$marker"
	# From here on, a failure takes down whatever was started.
	trap 'stop >/dev/null 2>&1 || true' ERR
	local socket="$dir/.s.PGSQL.$port"
	if [ "${#socket}" -gt 100 ]; then
		echo "postgres.sh: $dir is too long a path for a Unix socket (at most about 100 bytes); use a shorter one" >&2
		false
	fi

	user="$(server_user)"
	chmod 700 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown "$user" "$dir"
		if ! runuser -u "$user" -- test -w "$dir"; then
			echo "postgres.sh: $user cannot reach $dir (a parent folder is closed to it); use a folder under /tmp" >&2
			false
		fi
	fi

	as_server "$user" "$bindir/initdb" --pgdata="$dir/data" --username="$role" --auth=trust --encoding=UTF8 \
		--no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		false
	}
	# Only the socket in DIR: listen_addresses='' turns TCP off. Durability is not wanted here.
	as_server "$user" "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
		--options="-c listen_addresses='' -c unix_socket_directories='$dir' -c port=$port -c timezone=UTC \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20 -c shared_buffers=64MB" \
		start >/dev/null || {
		cat "$dir/server.log" >&2 || true
		false
	}
	"$psql" -X -q -h "$dir" -p "$port" -U "$role" -d postgres -c "select 1" >/dev/null
	cat >"$dir/env" <<ENV
PSQL=$psql
PGHOST=$dir
PGPORT=$port
PGUSER=$role
PGDATABASE=postgres
ENV
	trap - ERR
	echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $socket (server runs as $user)" >&2
}

stop() {
	[ -e "$dir" ] || return 0
	# An empty folder (made for `start`, which then failed early) goes too.
	if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
		rmdir "$dir"
		return 0
	fi
	if [ ! -e "$dir/$marker" ]; then
		echo "postgres.sh: $dir was not made by 'postgres.sh start'; leaving it alone" >&2
		exit 2
	fi
	local pidfile="$dir/data/postmaster.pid" pid=""
	[ -f "$pidfile" ] && pid="$(head -n 1 "$pidfile" 2>/dev/null || true)"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		bindir="${bindir:-$(find_bindir)}"
		user="$(stat -c %U "$dir/data")"
		as_server "$user" "$bindir/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=30 stop \
			>/dev/null 2>&1 || true
		# Should the server not stop in time: end this server (its postmaster, by the id it wrote).
		if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
			kill -QUIT "$pid" 2>/dev/null || true
			for _ in $(seq 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -rf "$dir"
}

[ $# = 2 ] || usage
dir="$2"
case "$1" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
