# shellcheck shell=bash
# scripts/pg.sh — start and stop a throwaway PostgreSQL server for tests and
# benchmarks. Source it; do not run it.
#
#   . scripts/pg.sh
#   pg_available || echo "no PostgreSQL server binaries"
#   pg_start [DBNAME]   # default DBNAME onestop_test; returns non-zero on failure
#   ... use "$PG_URL" ...
#   pg_standby_start    # optional: a streaming standby of that server
#   pg_stop             # idempotent (stops the standby too); safe in an EXIT trap
#
# pg_start sets:
#   PG_URL        postgres://postgres@127.0.0.1:PORT/DBNAME?sslmode=disable
#   PG_ADMIN_URL  the same server, database "postgres"
#   PG_DIR        temp dir holding data/, sock/ (unix socket), server.log
#   PG_PORT, PG_HOST (127.0.0.1), PG_BINDIR, PG_LOG
#
# The server listens on 127.0.0.1 only, on a free port picked at random in
# 20000-40000, with trust authentication for user "postgres" and
# max_connections=200. For speed it runs with fsync, synchronous_commit and
# full_page_writes off; set ONESTOP_PG_DURABLE=1 to keep them on (benchmarks).
# PostgreSQL refuses to run as root: when we are root, the data dir belongs
# to the OS user "postgres" (created if missing) and the server runs as it.
#
# The server runs with wal_level=replica and has a replication user
# "replicator" (trust, like "postgres"), so pg_standby_start can make a
# hot standby of it with pg_basebackup -R and start it on another free
# port; it sets PG_STANDBY_URL (same database, the standby's port),
# PG_STANDBY_DATA (its data dir, whose postgresql.auto.conf holds port and
# socket, so `pg_ctl -D "$PG_STANDBY_DATA" start` alone restarts it) and
# PG_STANDBY_PORT.
#
# Binaries: ONESTOP_PG_BINDIR if set, else the newest
# /usr/lib/postgresql/*/bin, else initdb/pg_ctl on PATH.

# pg_find_bindir prints the directory holding initdb, pg_ctl, postgres, ...
pg_find_bindir() {
	local d
	if [ -n "${ONESTOP_PG_BINDIR:-}" ]; then
		if [ -x "$ONESTOP_PG_BINDIR/initdb" ] && [ -x "$ONESTOP_PG_BINDIR/pg_ctl" ]; then
			printf '%s\n' "$ONESTOP_PG_BINDIR"
			return 0
		fi
		echo "pg.sh: ONESTOP_PG_BINDIR=$ONESTOP_PG_BINDIR has no initdb/pg_ctl" >&2
		return 1
	fi
	# shellcheck disable=SC2012
	d=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$(dirname "$d")/pg_ctl" ]; then
		dirname "$d"
		return 0
	fi
	d=$(command -v initdb 2>/dev/null || true)
	if [ -n "$d" ] && [ -x "$(dirname "$d")/pg_ctl" ]; then
		dirname "$d"
		return 0
	fi
	return 1
}

# pg_available: true when PostgreSQL server binaries were found.
pg_available() { pg_find_bindir >/dev/null 2>&1; }

# _pg_run runs a command as the owner of the server (postgres when root),
# from inside $PG_DIR so an unreadable current directory does not matter.
_pg_run() {
	if [ "$(id -u)" = 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			(cd "$PG_DIR" && runuser -u postgres -- "$@")
		else
			(cd "$PG_DIR" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
		fi
	else
		(cd "$PG_DIR" && "$@")
	fi
}

_pg_ensure_user() {
	[ "$(id -u)" = 0 ] || return 0
	id -u postgres >/dev/null 2>&1 && return 0
	echo "pg.sh: creating OS user postgres" >&2
	useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
		--shell /bin/sh --comment "PostgreSQL administrator" postgres
}

# _pg_port_free PORT: true when 127.0.0.1:PORT can be bound.
_pg_port_free() {
	local port=$1
	if command -v python3 >/dev/null 2>&1 && python3 -c 'pass' >/dev/null 2>&1; then
		python3 - "$port" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
		return
	fi
	# No python: a port nobody answers on is taken as free.
	! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# _pg_pick_port prints a free loopback port, starting from a random one in
# 20000-40000.
_pg_pick_port() {
	local start=$((20000 + RANDOM % 20001)) i port
	for ((i = 0; i < 500; i++)); do
		port=$((20000 + (start - 20000 + i) % 20001))
		if _pg_port_free "$port"; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	echo "pg.sh: no free port found in 20000-40000" >&2
	return 1
}

_pg_print_log() {
	local f=$1
	[ -f "$f" ] || return 0
	echo "----- $f -----" >&2
	tail -n 60 "$f" >&2
	echo "----- end of $f -----" >&2
}

# _pg_initdb DATADIR: initdb with C.UTF-8, falling back to C.
_pg_initdb() {
	local data=$1 locale loc log="$PG_DIR/initdb.log" sync=(--no-sync)
	[ "${ONESTOP_PG_DURABLE:-}" = 1 ] && sync=()
	for locale in C.UTF-8 C; do
		if [ "$locale" = C.UTF-8 ] && command -v locale >/dev/null 2>&1; then
			loc=$(locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr -d '-')
			case $'\n'"$loc"$'\n' in
			*$'\n'c.utf8$'\n'*) ;;
			*) continue ;;
			esac
		fi
		rm -rf "$data"
		if _pg_run "$PG_BINDIR/initdb" -D "$data" -A trust -U postgres \
			--encoding=UTF8 --locale="$locale" "${sync[@]}" >"$log" 2>&1; then
			return 0
		fi
		echo "pg.sh: initdb --locale=$locale failed" >&2
	done
	_pg_print_log "$log"
	return 1
}

# _pg_ctl_start DATADIR LOG OPTS: pg_ctl start (OPTS for the server, may be
# empty); 0 when it is up, 2 when its port turned out to be taken (it is
# stopped again: pick another), 1 otherwise.
_pg_ctl_start() {
	local data=$1 log=$2 o=()
	[ -n "$3" ] && o=(-o "$3")
	_pg_run rm -f "$log"
	_pg_run "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" "${o[@]}" -w -t 30 -s start && return 0
	if grep -q 'could not bind\|already in use' "$log" 2>/dev/null; then
		echo "pg.sh: port taken after all; trying another" >&2
		_pg_run "$PG_BINDIR/pg_ctl" -D "$data" -m immediate -s stop >/dev/null 2>&1 || true
		return 2
	fi
	return 1
}

# _pg_wait_ready PORT LOG: wait up to 30 s for the server on PORT to accept
# connections; its log is shown when it does not.
_pg_wait_ready() {
	local i
	for ((i = 0; i < 150; i++)); do
		"$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2 && return 0
		sleep 0.2
	done
	echo "pg.sh: ERROR: pg_isready got no answer from 127.0.0.1:$1 within 30 s" >&2
	_pg_print_log "$2"
	return 1
}

# pg_start [DBNAME]: start a throwaway server and create DBNAME on it.
pg_start() {
	local db=${1:-onestop_test} attempt opts
	if [ -n "${PG_DIR:-}" ] && [ -d "${PG_DIR:-}" ]; then
		echo "pg.sh: a server is already started in $PG_DIR (pg_stop first)" >&2
		return 1
	fi
	PG_BINDIR=$(pg_find_bindir) || {
		echo "pg.sh: PostgreSQL server binaries not found" >&2
		return 1
	}
	_pg_ensure_user || return 1
	if [ "$(id -u)" = 0 ]; then
		# /tmp, not $TMPDIR: the postgres user must reach it, and the unix
		# socket path must stay short.
		PG_DIR=$(mktemp -d /tmp/onestop-pg.XXXXXX) || return 1
		chown postgres: "$PG_DIR" || return 1
	else
		PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/onestop-pg.XXXXXX") || return 1
		if [ ${#PG_DIR} -gt 70 ]; then
			rmdir "$PG_DIR"
			PG_DIR=$(mktemp -d /tmp/onestop-pg.XXXXXX) || return 1
		fi
	fi
	export PG_DIR PG_BINDIR
	PG_HOST=127.0.0.1
	PG_LOG="$PG_DIR/server.log"
	_pg_run mkdir -p "$PG_DIR/sock" || return 1

	echo "pg.sh: initdb ($PG_BINDIR) in $PG_DIR/data" >&2
	_pg_initdb "$PG_DIR/data" || return 1

	for attempt in 1 2 3; do
		PG_PORT=$(_pg_pick_port) || return 1
		opts="-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c wal_level=replica -c max_wal_senders=5"
		if [ "${ONESTOP_PG_DURABLE:-}" != 1 ]; then
			opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		fi
		_pg_ctl_start "$PG_DIR/data" "$PG_LOG" "$opts"
		case $? in
		0) break ;;
		2) [ "$attempt" -lt 3 ] && continue ;;
		esac
		echo "pg.sh: ERROR: PostgreSQL failed to start on 127.0.0.1:$PG_PORT (or was not ready within 30 s); server log follows" >&2
		_pg_print_log "$PG_LOG"
		return 1
	done
	_pg_wait_ready "$PG_PORT" "$PG_LOG" || return 1

	if ! "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"; then
		echo "pg.sh: ERROR: createdb $db failed" >&2
		_pg_print_log "$PG_LOG"
		return 1
	fi
	if ! "$PG_BINDIR/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
		-c "CREATE ROLE replicator WITH REPLICATION LOGIN" >/dev/null; then
		echo "pg.sh: ERROR: creating the replication user failed" >&2
		return 1
	fi
	PG_DB=$db
	PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/$db?sslmode=disable"
	PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	export PG_URL PG_ADMIN_URL PG_PORT PG_HOST PG_LOG
	local mode="fast, not durable"
	[ "${ONESTOP_PG_DURABLE:-}" = 1 ] && mode="durable"
	echo "pg.sh: PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}') ready at $PG_URL ($mode)" >&2
	return 0
}

# pg_standby_available: true when the binaries a standby needs exist.
pg_standby_available() {
	local d
	d=$(pg_find_bindir 2>/dev/null) || return 1
	[ -x "$d/pg_basebackup" ] && [ -x "$d/pg_ctl" ]
}

# pg_standby_start: a hot standby of the server pg_start started, streaming
# from it (pg_basebackup -R writes primary_conninfo and standby.signal),
# on another free port. Returns non-zero on failure.
pg_standby_start() {
	local data attempt log
	if [ -z "${PG_DIR:-}" ] || [ -z "${PG_PORT:-}" ]; then
		echo "pg.sh: pg_standby_start needs a server started by pg_start" >&2
		return 1
	fi
	data="$PG_DIR/standby"
	log="$PG_DIR/standby.log"
	echo "pg.sh: pg_basebackup -R into $data" >&2
	if ! _pg_run "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U replicator \
		-D "$data" -R -X stream -c fast >"$PG_DIR/basebackup.log" 2>&1; then
		echo "pg.sh: ERROR: pg_basebackup failed" >&2
		_pg_print_log "$PG_DIR/basebackup.log"
		return 1
	fi
	for attempt in 1 2 3; do
		PG_STANDBY_PORT=$(_pg_pick_port) || return 1
		# The standby needs max_connections >= the primary's; the rest
		# mirrors pg_start's options, kept in the data dir for restarts.
		{
			echo "port = $PG_STANDBY_PORT"
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = '$PG_DIR/sock'"
			echo "max_connections = 200"
			echo "hot_standby = on"
			if [ "${ONESTOP_PG_DURABLE:-}" != 1 ]; then
				echo "fsync = off"
				echo "full_page_writes = off"
			fi
		} | _pg_run tee -a "$data/postgresql.auto.conf" >/dev/null
		_pg_ctl_start "$data" "$log" ""
		case $? in
		0) break ;;
		2) [ "$attempt" -lt 3 ] && continue ;;
		esac
		echo "pg.sh: ERROR: the standby failed to start on 127.0.0.1:$PG_STANDBY_PORT; its log follows" >&2
		_pg_print_log "$log"
		return 1
	done
	_pg_wait_ready "$PG_STANDBY_PORT" "$log" || return 1
	PG_STANDBY_DATA=$data
	PG_STANDBY_URL="postgres://postgres@127.0.0.1:$PG_STANDBY_PORT/${PG_DB:-onestop_test}?sslmode=disable"
	export PG_STANDBY_DATA PG_STANDBY_URL PG_STANDBY_PORT
	echo "pg.sh: standby streaming from :$PG_PORT ready at $PG_STANDBY_URL" >&2
	return 0
}

# _pg_alive PID: true when PID is a live (not zombie) postgres process.
_pg_alive() {
	local pid=${1:-} st
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	if [ -r "/proc/$pid/stat" ]; then
		st=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
		[ -n "$st" ] && [ "$st" != Z ] && grep -qa postgres "/proc/$pid/cmdline" 2>/dev/null
		return
	fi
	kill -0 "$pid" 2>/dev/null
}

# pg_stop: stop the server started by pg_start (immediate mode) and remove
# its temp dir. Does nothing when none was started.
pg_stop() {
	local dir=${PG_DIR:-} pid=
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		if [ -f "$dir/standby/postmaster.pid" ]; then
			pid=$(head -n 1 "$dir/standby/postmaster.pid" 2>/dev/null || true)
			if ! _pg_run "${PG_BINDIR:-$(pg_find_bindir)}/pg_ctl" -D "$dir/standby" -m immediate -w -t 20 -s stop \
				>/dev/null 2>&1 && _pg_alive "$pid"; then
				echo "pg.sh: standby $pid did not stop; killing it" >&2
				kill -KILL "$pid" 2>/dev/null || true
				sleep 0.5
			fi
			pid=
		fi
		if [ -f "$dir/data/postmaster.pid" ]; then
			pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
			if ! _pg_run "${PG_BINDIR:-$(pg_find_bindir)}/pg_ctl" -D "$dir/data" -m immediate -w -t 20 -s stop \
				>/dev/null 2>&1 && _pg_alive "$pid"; then
				echo "pg.sh: server $pid did not stop; killing it" >&2
				kill -KILL "$pid" 2>/dev/null || true
				sleep 0.5
			fi
		fi
		rm -rf "$dir"
	fi
	unset PG_URL PG_ADMIN_URL PG_DIR PG_PORT PG_HOST PG_LOG PG_DB PG_STANDBY_URL PG_STANDBY_DATA PG_STANDBY_PORT
	return 0
}
