# Sourced by tests/interop/run.sh and tests/warehouse/run.sh (from the project root): makes
# .interop/venv from tests/interop/requirements.txt + constraints.txt (again only when they
# change) and sets `venv`. Calls `skip REASON` (defined by the caller) when Python 3.10+ or PyPI
# cannot be had; prints `0 passed, 1 failed` and exits 1 when pip fails with PyPI reachable.
# Uses `label` (the caller's name for its messages) and `python` (default python3).

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || skip "$python not found"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  skip "$("$python" -V 2>&1) is older than 3.10"

venv=.interop/venv
wanted=$(cat tests/interop/requirements.txt tests/interop/constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$wanted" ]; then
  echo "$label: installing tests/interop/requirements.txt into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" || skip "$python cannot make a venv: install its venv module"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
    -r tests/interop/requirements.txt -c tests/interop/constraints.txt >&2; then
    rm -rf "$venv"
    if ! "$python" -c 'import urllib.request as u; u.urlopen("https://pypi.org/simple/pip/", timeout=10)' \
      >/dev/null 2>&1; then
      skip "pip install failed and PyPI is unreachable"
    fi
    echo "$label: pip install failed with PyPI reachable: see the messages above" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "$wanted" >"$venv/.requirements"
fi
