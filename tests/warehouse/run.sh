#!/usr/bin/env bash
# `deno task warehouse`: the connector under PyAirbyte's PostgresCache, in a throwaway PostgreSQL
# cluster (tests/warehouse/postgres_check.py holds the checks). Optional, like `deno task interop`:
# needs Python 3.10+, PyPI (the venv of tests/interop/venv.sh, shared with `deno task interop`)
# and PostgreSQL, which it installs from the system's packages (apt-get) when it is missing.
#
# The cluster lives in a temporary folder, listens on 127.0.0.1 only (a free port; a random
# password), runs as an unprivileged user (postgres refuses root: as root, it runs as `nobody`
# through setpriv), and is stopped by the PID in its postmaster.pid at the end, whatever happens
# (an EXIT trap), then its folder removed. Prints the check's lines and `N passed, N failed`; without
# Python, PyPI or PostgreSQL it prints `warehouse: skipped (reason)` and exits 0.
set -uo pipefail
cd "$(dirname "$0")/../.."

skip() {
  echo "warehouse: skipped ($1)"
  exit 0
}
label=warehouse
# shellcheck source=tests/interop/venv.sh
source tests/interop/venv.sh

# PostgreSQL's server binaries: on PATH's pg_config, or Debian's /usr/lib/postgresql/<n>/bin.
find_bin() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null)
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir" && return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir" && return 0; fi
  done
  return 1
}
bin=$(find_bin)
if [ -z "$bin" ]; then
  command -v apt-get >/dev/null 2>&1 || skip "no PostgreSQL and no apt-get to install it"
  [ "$(id -u)" -eq 0 ] || skip "no PostgreSQL, and installing it needs root"
  echo "warehouse: installing PostgreSQL (apt-get install postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >&2 ||
    skip "apt-get install postgresql failed"
  bin=$(find_bin) || skip "PostgreSQL installed, but no initdb found"
fi

# As root, the cluster runs as `nobody`: every postgres command goes through setpriv.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null 2>&1 || skip "running as root and no setpriv to drop to nobody"
  as_owner=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
fi

# Under /tmp when the cluster runs as nobody (a private TMPDIR may not be open to it).
tmp=${TMPDIR:-/tmp}
if [ ${#as_owner[@]} -gt 0 ]; then tmp=/tmp; fi
dir=$(mktemp -d "$tmp/source-humaans-warehouse.XXXXXX")
data="$dir/data"
postmaster_pid=""
stop_cluster() {
  # By the PID postgres wrote, never by name: SIGINT is its fast shutdown; SIGKILL after 30 s.
  if [ -z "$postmaster_pid" ] && [ -f "$data/postmaster.pid" ]; then
    postmaster_pid=$(head -1 "$data/postmaster.pid")
  fi
  if [ -n "$postmaster_pid" ] && kill -0 "$postmaster_pid" 2>/dev/null; then
    kill -INT "$postmaster_pid" 2>/dev/null
    for _ in $(seq 300); do
      kill -0 "$postmaster_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$postmaster_pid" 2>/dev/null; then
      echo "warehouse: postgres (PID $postmaster_pid) still running after 30 s: SIGKILL" >&2
      kill -KILL "$postmaster_pid" 2>/dev/null
    fi
  fi
  rm -rf "$dir"
}
check_pid=""
stop_check() {
  # The check (its `timeout`, which passes the signal on), by PID; then the EXIT trap's cleanup.
  if [ -n "$check_pid" ]; then kill -TERM "$check_pid" 2>/dev/null && wait "$check_pid"; fi
  exit "$1"
}
trap stop_cluster EXIT
trap 'stop_check 130' INT
trap 'stop_check 143' TERM

password=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
port=$("$venv/bin/python" -c \
  'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "$password" >"$dir/pwfile"
mkdir -p "$data"
if [ ${#as_owner[@]} -gt 0 ]; then chown -R nobody "$dir"; fi
chmod 700 "$dir"

started=$(date +%s)
if ! "${as_owner[@]}" "$bin/initdb" --pgdata="$data" --username=airbyte --pwfile="$dir/pwfile" \
  --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  echo "warehouse: initdb failed"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f "$dir/pwfile"
# A throwaway cluster: no durability wanted, only speed.
options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off"
options="$options -c full_page_writes=off"
if ! "${as_owner[@]}" "$bin/pg_ctl" start --pgdata="$data" --wait --timeout=60 \
  --log="$dir/postgres.log" --options="$options" >"$dir/pg_ctl.log" 2>&1; then
  cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2
  echo "warehouse: the PostgreSQL cluster did not start"
  echo "0 passed, 1 failed"
  exit 1
fi
postmaster_pid=$(head -1 "$data/postmaster.pid")
echo "warehouse: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" \
  "(PID $postmaster_pid, started in $(($(date +%s) - started)) s)" >&2

# Bounded: a run that hangs fails (and the trap still stops the cluster). In the background, so
# that a signal to this script is handled at once (bash runs traps only between commands).
WAREHOUSE_PG_PORT=$port WAREHOUSE_PG_PASSWORD=$password \
  timeout --kill-after=10 600 "$venv/bin/python" tests/warehouse/postgres_check.py &
check_pid=$!
wait "$check_pid"
code=$?
check_pid=""
if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
  echo "warehouse: stopped after 600 s"
  echo "0 passed, 1 failed"
fi
exit "$code"
