#!/usr/bin/env bash
# `deno task interop`: the connector under PyAirbyte's default flow and the official protocol
# models (tests/interop/pyairbyte_check.py). Optional: needs Python 3.10+ and PyPI; never part of
# the install or of `deno task test`. Makes .interop/venv from requirements.txt + constraints.txt
# (again only when they change), then runs the check, whose last line is `N passed, N failed`.
# Without python3 3.10+ or without network for pip it prints `interop: skipped (reason)`, exit 0.
set -uo pipefail
cd "$(dirname "$0")/../.."

skip() {
  echo "interop: skipped ($1)"
  exit 0
}
python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || skip "$python not found"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  skip "$("$python" -V 2>&1) is older than 3.10"

venv=.interop/venv
wanted=$(cat tests/interop/requirements.txt tests/interop/constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$wanted" ]; then
  echo "interop: installing tests/interop/requirements.txt into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" || skip "$python cannot make a venv: install its venv module"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
    -r tests/interop/requirements.txt -c tests/interop/constraints.txt >&2; then
    rm -rf "$venv"
    if ! "$python" -c 'import urllib.request as u; u.urlopen("https://pypi.org/simple/pip/", timeout=10)' \
      >/dev/null 2>&1; then
      skip "pip install failed and PyPI is unreachable"
    fi
    echo "interop: pip install failed with PyPI reachable: see the messages above" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "$wanted" >"$venv/.requirements"
fi
# Bounded: a run that hangs fails (the sandbox helper stops when the check's end of its stdin closes).
timeout --kill-after=10 600 "$venv/bin/python" tests/interop/pyairbyte_check.py
code=$?
if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
  echo "interop: stopped after 600 s"
  echo "0 passed, 1 failed"
fi
exit "$code"
