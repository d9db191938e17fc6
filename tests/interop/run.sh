#!/usr/bin/env bash
# `deno task interop`: the connector under PyAirbyte's default flow and the official protocol
# models (tests/interop/pyairbyte_check.py). Optional: needs Python 3.10+ and PyPI; never part of
# the install or of `deno task test`. Makes .interop/venv from requirements.txt + constraints.txt
# (again only when they change; tests/interop/venv.sh), then runs the check, whose last line is
# `N passed, N failed`.
# Without python3 3.10+ or without network for pip it prints `interop: skipped (reason)`, exit 0.
set -uo pipefail
cd "$(dirname "$0")/../.."

skip() {
  echo "interop: skipped ($1)"
  exit 0
}
label=interop
# shellcheck source=tests/interop/venv.sh
source tests/interop/venv.sh
# Bounded: a run that hangs fails (the sandbox helper stops when the check's end of its stdin closes).
timeout --kill-after=10 600 "$venv/bin/python" tests/interop/pyairbyte_check.py
code=$?
if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
  echo "interop: stopped after 600 s"
  echo "0 passed, 1 failed"
fi
exit "$code"
