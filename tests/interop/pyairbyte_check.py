"""`deno task interop`: the connector under PyAirbyte's default flow and the official models.

Started by tests/interop/run.sh inside the venv it makes. It starts the sandbox (through
tests/interop/sandbox_helper.ts), writes a local executable that execs the connector command of
deno.json's `connector` task, and checks:

- every stdout line of spec, check, discover and read (without and with state) validates against
  the official models (airbyte-protocol-models-pdv2, pydantic, strict);
- PyAirbyte (AIRBYTE_OFFLINE_MODE=1): check, select_all_streams(), read() into a DuckDB cache
  holds, for every stream, as many rows as the sandbox serves;
- after rows change in the sandbox, a second read() brings them, exactly them, and no primary key
  is duplicated in the cache.

Prints one line per check and `N passed, N failed` last; exits 1 on any failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".interop"
PEOPLE = 200
# Rows changed between the two reads: updates move `updatedAt` to now; inserts add rows.
CHANGES = {
    "job_roles": {"updates": 12},
    "documents": {"updates": 5},
    "time_away": {"updates": 3},
    "people": {"inserts": 2, "updates": 2},
}

os.environ["AIRBYTE_OFFLINE_MODE"] = "1"  # PyAirbyte otherwise calls its online registry.
os.environ.setdefault("DO_NOT_TRACK", "1")

import airbyte as ab  # noqa: E402  (after the environment is set)
from airbyte_protocol.models import AirbyteMessage  # noqa: E402


class Checks:
    """Counts passed and failed checks, printing each."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    def run(self, name: str, body: Callable[[], Any]) -> Any:
        """Runs `body`; an exception fails the check `name`."""
        try:
            return body()
        except Exception as error:  # noqa: BLE001  (any failure is a failed check)
            traceback.print_exc(file=sys.stderr)
            self.check(name, False, f"{type(error).__name__}: {error}")
            return None


def connector_command() -> list[str]:
    """The `connector` task of deno.json, as argv (run from the project root)."""
    task = json.loads((ROOT / "deno.json").read_text())["tasks"]["connector"]
    return task.split()


def write_executable() -> Path:
    """A script PyAirbyte runs as the connector: it execs the connector command."""
    script = WORK / "source-humaans"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f"cd {json.dumps(str(ROOT))} || exit 1\n"
        f"exec {' '.join(connector_command())} \"$@\"\n"
    )
    script.chmod(0o755)
    return script


class SandboxHelper:
    """The Deno process that serves the sandbox and changes its rows on request."""

    def __init__(self, script: str = "sandbox_helper.ts") -> None:
        self.process = subprocess.Popen(
            ["deno", "run", "--frozen", "--cached-only", "--allow-read", "--allow-net",
             str(ROOT / "tests/interop" / script), str(PEOPLE)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        hello = self._answer()
        self.url: str = hello["url"]
        self.token: str = hello["token"]
        self.totals: dict[str, int] = hello["totals"]
        self.last_deleted: dict[str, list[str]] = {}

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("The sandbox helper exited: see its output above")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"The sandbox helper failed: {answer['error']}")
        return answer

    def change(self, changes: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
        """Changes rows; returns each stream's changed or new rows: id -> new updatedAt."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"change": changes}) + "\n")
        self.process.stdin.flush()
        answer = self._answer()
        self.totals = answer["totals"]
        self.last_deleted = answer.get("deleted", {})  # stream -> ids of the rows deleted
        return answer["changed"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def run_connector(args: list[str], timeout: int = 120) -> tuple[int, list[str]]:
    """Runs the connector command directly; returns its exit code and stdout lines."""
    done = subprocess.run(
        connector_command() + args, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    return done.returncode, [line for line in done.stdout.split("\n") if line]


def validate_lines(checks: Checks, command: str, code: int, lines: list[str]) -> list[AirbyteMessage]:
    """Validates every line against AirbyteMessage, strictly; one check per command."""
    messages: list[AirbyteMessage] = []
    bad: list[str] = []
    for number, line in enumerate(lines, 1):
        try:
            messages.append(AirbyteMessage.model_validate_json(line, strict=True))
        except Exception as error:  # noqa: BLE001
            bad.append(f"line {number}: {str(error).splitlines()[0]}: {line[:200]}")
    checks.check(
        f"{command}: exit 0 and all {len(lines)} stdout lines validate (strict)",
        code == 0 and not bad and len(lines) > 0,
        f"exit {code}; {len(bad)} invalid; first: {bad[0] if bad else '-'}",
    )
    return messages


def last_states(messages: list[AirbyteMessage]) -> list[dict[str, Any]]:
    """The last STATE of each stream, as a state file holds them."""
    by_stream: dict[str, dict[str, Any]] = {}
    for message in messages:
        if message.state is not None and message.state.stream is not None:
            name = message.state.stream.stream_descriptor.name
            by_stream[name] = json.loads(message.state.model_dump_json(exclude_none=True))
    return list(by_stream.values())


# Each stream's primary key column, from the catalog ("id" but for people_custom_fields).
KEYS: dict[str, str] = {}


def table_rows(cache: Any, stream: str) -> list[tuple[str, Any]]:
    """(key, _airbyte_extracted_at) of every row of a stream's cache table."""
    table = cache.processor.get_sql_table_name(stream)
    key = KEYS.get(stream, "id")
    result = cache.run_sql_query(
        f'SELECT "{key}" AS id, _airbyte_extracted_at AS at FROM "{cache.schema_name}"."{table}"'
    )
    return [(row["id"], row["at"]) for row in result]


def cached_updated_at(cache: Any, stream: str) -> dict[str, datetime | None]:
    """key -> updated_at (as an aware datetime) of a stream's cache table."""
    table = cache.processor.get_sql_table_name(stream)
    key = KEYS.get(stream, "id")
    result = cache.run_sql_query(
        f'SELECT "{key}" AS id, updated_at FROM "{cache.schema_name}"."{table}"'
    )
    return {row["id"]: as_datetime(row["updated_at"]) for row in result}


def as_datetime(value: Any) -> datetime | None:
    """A timestamp read from the cache or the sandbox, as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def check_meta_changes(checks: Checks, files: Path) -> None:
    """A value that does not fit its column: the RECORD's meta.changes validates and names it."""
    misfit = SandboxHelper("misfit_sandbox.ts")
    try:
        config_path = files / "misfit_config.json"
        config_path.write_text(json.dumps({"api_token": misfit.token, "base_url": misfit.url}))
        catalog_path = files / "misfit_catalog.json"
        catalog_path.write_text(json.dumps({"streams": [
            {"stream": {"name": "compensations"}, "sync_mode": "full_refresh"},
        ]}))
        code, lines = run_connector(
            ["read", "--config", str(config_path), "--catalog", str(catalog_path)],
        )
        messages = validate_lines(checks, "read (a value that does not fit)", code, lines)
        changes = [
            [(c.field, c.change.value, c.reason.value) for c in m.record.meta.changes or []]
            for m in messages if m.record is not None and m.record.meta is not None
        ]
        checks.check(
            "read: meta.changes names the nulled amount",
            changes == [[("amount", "NULLED", "SOURCE_SERIALIZATION_ERROR")]], str(changes),
        )
    finally:
        misfit.close()


def main() -> int:
    checks = Checks()
    WORK.mkdir(exist_ok=True)
    files = WORK / "files"
    files.mkdir(exist_ok=True)
    started = time.monotonic()
    sandbox = SandboxHelper()
    try:
        config = {  # typed values: PyAirbyte validates the config against spec.json
            "api_token": sandbox.token,
            "base_url": sandbox.url,
            "max_records_per_page": 100,
        }
        config_path = files / "config.json"
        config_path.write_text(json.dumps(config))

        # The protocol, line by line, with the official models.
        for command, args in [
            ("spec", ["spec"]),
            ("check", ["check", "--config", str(config_path)]),
            ("discover", ["discover", "--config", str(config_path)]),
        ]:
            code, lines = run_connector(args)
            messages = validate_lines(checks, command, code, lines)
            if command == "check":
                statuses = [m.connectionStatus.status.value for m in messages if m.connectionStatus]
                checks.check("check: SUCCEEDED", statuses == ["SUCCEEDED"], str(statuses))

        # PyAirbyte's default flow.
        source = ab.get_source(
            "source-humaans", local_executable=str(write_executable()), config=config,
        )
        checks.run("pyairbyte: check", lambda: (source.check(), checks.check("pyairbyte: check", True)))
        source.select_all_streams()
        streams = source.get_selected_streams()
        checks.check(
            f"pyairbyte: select_all_streams() selects all {len(sandbox.totals)} streams",
            sorted(streams) == sorted(sandbox.totals), str(sorted(streams)),
        )
        catalog = source.get_configured_catalog()
        for configured in catalog.streams:
            key = configured.stream.source_defined_primary_key
            KEYS[configured.stream.name] = key[0][0] if key else "id"
        catalog_path = files / "catalog.json"
        catalog_path.write_text(catalog.model_dump_json(exclude_none=True))
        modes = {s.sync_mode.value for s in catalog.streams}
        print(f"     pyairbyte asks for sync modes: {sorted(modes)}", flush=True)

        shutil.rmtree(WORK / "cache", ignore_errors=True)  # each run starts with an empty cache
        cache = ab.new_local_cache(cache_name="interop", cache_dir=WORK / "cache", cleanup=True)
        first = checks.run("pyairbyte: read #1", lambda: source.read(cache=cache))
        if first is not None:
            for stream, total in sandbox.totals.items():
                got = len(table_rows(cache, stream)) if stream in cache.streams else 0
                checks.check(f"pyairbyte: read #1 {stream}: {got} of {total} rows", got == total)

        # The same read, run directly, validated line by line; its state seeds a read with state.
        read_args = ["read", "--config", str(config_path), "--catalog", str(catalog_path)]
        code, lines = run_connector(read_args)
        messages = validate_lines(checks, "read (no state)", code, lines)
        state_path = files / "state.json"
        state_path.write_text(json.dumps(last_states(messages)))

        # Rows change; the second read brings them, exactly them, without duplicates.
        changed = sandbox.change(CHANGES)
        print(f"     changed in the sandbox: { {k: len(v) for k, v in changed.items()} }", flush=True)
        first_extracted = None
        if first is not None:
            first_extracted = max(
                at for stream in sandbox.totals for _, at in table_rows(cache, stream)
            )
        second = checks.run("pyairbyte: read #2", lambda: source.read(cache=cache))
        if second is not None and first_extracted is not None:
            for stream, total in sandbox.totals.items():
                rows = table_rows(cache, stream)
                ids = [row_id for row_id, _ in rows]
                checks.check(
                    f"pyairbyte: read #2 {stream}: {len(rows)} of {total} rows, no id twice",
                    len(ids) == len(set(ids)) == total,
                    f"{len(ids) - len(set(ids))} duplicated ids",
                )
                again = {row_id for row_id, at in rows if at > first_extracted}
                expected = set(changed.get(stream, {}))
                if expected:
                    cached = cached_updated_at(cache, stream)
                    stale = sorted(
                        row_id for row_id, updated_at in changed[stream].items()
                        if cached.get(row_id) != as_datetime(updated_at)
                    )
                    checks.check(
                        f"pyairbyte: read #2 {stream}: the {len(expected)} changed rows arrived",
                        expected <= again and not stale,
                        f"not read again: {sorted(expected - again)[:5]}; old updated_at: {stale[:5]}",
                    )
                full = next(s for s in catalog.streams if s.stream.name == stream)
                if "incremental" in [m.value for m in full.stream.supported_sync_modes]:
                    checks.check(
                        f"pyairbyte: read #2 {stream}: exactly the changed rows "
                        f"({len(again)} read, {len(expected)} changed)",
                        again == expected,
                        f"{len(again - expected)} unchanged rows read again",
                    )

        code, lines = run_connector(read_args + ["--state", str(state_path)])
        messages = validate_lines(checks, "read (with state)", code, lines)
        records = sum(1 for m in messages if m.record is not None)
        print(f"     read with state: {records} records", flush=True)
        check_meta_changes(checks, files)
    except Exception as error:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        checks.check("interop run", False, f"{type(error).__name__}: {error}")
    finally:
        sandbox.close()
    print(f"     took {time.monotonic() - started:.1f} s", flush=True)
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
