"""`deno task warehouse`: the connector under PyAirbyte's PostgresCache, as a data engineer uses it.

Started by tests/warehouse/run.sh, which starts a throwaway PostgreSQL cluster on 127.0.0.1 and
passes its port and password in WAREHOUSE_PG_PORT and WAREHOUSE_PG_PASSWORD (user `airbyte`,
database `postgres`). With the sandbox of tests/interop (sandbox_helper.ts) and `detect_deletes`
on, it runs PyAirbyte's default flow into a `PostgresCache`: a first read, then rows updated,
inserted and deleted in the sandbox and a second read. Per stream it checks:

- every row once: the rows whose `_ab_cdc_deleted_at` is null are as many as the sandbox serves,
  and no primary key (the catalog's: `id`, but `person_id` for people_custom_fields, a row per
  person with at least one custom value) appears twice;
- the column types in information_schema: each column as its schema declares it, and the kinds a
  warehouse needs: nested values json/jsonb (no text column holds JSON objects or arrays, but for
  the seed's four JSON-text columns), numbers numeric (no text column holds decimals), dates date
  and timestamps timestamp (no text column holds only either); people_custom_fields' columns
  from the custom field definitions likewise (multiple choices json/jsonb; a field of a type the
  connector does not know has no declared type: any), one of each kind the sandbox defines;
- the changed rows merged in place (their new `updated_at`, one row each; a changed custom value
  re-emits its person's people_custom_fields row) and each deleted row overwritten by its delete
  record (`_ab_cdc_deleted_at` set, the other columns null).

The same two reads also go into a second schema with `write_strategy="append"` (every version
kept, as in an append destination), where the README's query for the live rows must give the
rows the sandbox serves and none of the deleted ones.

Then ten spec and discover calls through PyAirbyte (a fresh source each) must not end in a
subprocess failure, raised or printed, and ten more, sent SIGTERM the moment their message is read
(as PyAirbyte's executor does), must end with 0 or by SIGTERM (-15). Prints one line per check and `N passed, N failed` last; exits 1 on failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/interop"))

# Sets AIRBYTE_OFFLINE_MODE before it imports airbyte; shares the sandbox helper and executable.
from pyairbyte_check import (  # noqa: E402
    Checks,
    SandboxHelper,
    as_datetime,
    connector_command,
)

import airbyte as ab  # noqa: E402
from airbyte.caches import PostgresCache  # noqa: E402
from airbyte.exceptions import AirbyteSubprocessFailedError  # noqa: E402

SCHEMA = "humaans"
# Rows changed between the two reads: updates move `updatedAt` to now; inserts add rows; deletes
# remove rows (which `detect_deletes` reports).
CHANGES = {
    "job_roles": {"updates": 6},
    "compensations": {"updates": 3},
    "time_away": {"updates": 3, "deletes": 2},
    "people": {"inserts": 2, "updates": 2},
    # Custom values changed: their people's rows (by person_id) come again.
    "people_custom_fields": {"updates": 4},
}
# Each stream's primary key column, from the catalog ("id" but for people_custom_fields).
KEYS: dict[str, str] = {}
# The seed's JSON-text columns, kept as text on purpose (the API sends them as strings).
JSON_TEXT_COLUMNS = {"tags", "requirements", "responsibilities", "benefits"}
JSON_TYPES = {"json", "jsonb"}
TIMESTAMP_TYPES = {"timestamp with time zone", "timestamp without time zone"}
TEXT_TYPES = {"character varying", "text"}
# Columns whose type the API's values do not show (money comes as "70000.50" or "70000").
NAMED_TYPES = {
    ("compensations", "amount"): {"numeric"},
}
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An instant as the API sends it (ISO 8601 with a T; with or without a zone).
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*")
# A date and time with no zone in a text column: what a loader makes of a time of day declared as
# plain text (today's date added to it), so a failure.
LOCAL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?")


def custom_kind(prop: dict[str, Any]) -> str:
    """A people_custom_fields column's kind, as its schema declares it (`untyped`: no type)."""
    declared = prop.get("type")
    kinds = ({declared} if isinstance(declared, str) else set(declared or [])) - {"null"}
    if not kinds:
        return "untyped"
    if "array" in kinds:
        return "strings"
    kind = sorted(kinds)[0]
    return "date" if kind == "string" and prop.get("format") == "date" else kind


def expected_types(prop: dict[str, Any]) -> set[str] | None:
    """The information_schema data types a column of this JSON schema may have (None: any)."""
    declared = prop.get("type")
    kinds = {declared} if isinstance(declared, str) else set(declared or [])
    kinds.discard("null")
    if kinds & {"object", "array"}:
        return JSON_TYPES
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind == "string":
        return {
            "date": {"date"},
            "date-time": TIMESTAMP_TYPES,
            "time": {"time without time zone"},
        }.get(prop.get("format"), TEXT_TYPES)
    return {
        "number": {"numeric"},
        "integer": {"bigint", "numeric"},
        "boolean": {"boolean"},
    }.get(kind)


def text_misfit(values: list[Any]) -> str | None:
    """What a text column's values are, when a typed column should hold them (None: text)."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return None
    nested = 0
    for value in present:
        if value.lstrip()[:1] in ("{", "["):
            try:
                nested += isinstance(json.loads(value), (dict, list))
            except ValueError:
                pass
    sample = json.dumps(present[0])[:60]
    if nested:
        return f"JSON objects or arrays as text ({nested} of {len(present)} values, e.g. {sample})"
    # Digits alone may be identifiers (employee ids, account numbers): a decimal point tells.
    if all(DECIMAL.fullmatch(v) for v in present) and any("." in v for v in present):
        return f"decimal numbers as text (e.g. {sample})"
    if all(DATE.fullmatch(v) for v in present):
        return f"dates as text (e.g. {sample})"
    if all(TIMESTAMP.fullmatch(v) for v in present):
        return f"timestamps as text (e.g. {sample})"
    return None


def column_types(cache: Any, table: str) -> dict[str, str]:
    """column -> information_schema data_type of one cache table."""
    rows = cache.run_sql_query(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{SCHEMA}' AND table_name = '{table}'"
    )
    return {row["column_name"]: row["data_type"] for row in rows}


def type_problems(
    cache: Any, stream: str, schema: dict[str, Any], rows: list[dict[str, Any]]
) -> list[str]:
    """What is wrong with a stream table's column types (empty when nothing)."""
    table = cache.processor.get_sql_table_name(stream)
    types = column_types(cache, table)
    problems = []
    for column, prop in schema["properties"].items():
        actual = types.get(column)
        allowed = expected_types(prop)
        if actual is None:
            problems.append(f"{column}: no such column")
        elif allowed is not None and actual not in allowed:
            problems.append(f"{column}: {actual}, declared {prop.get('type')} {prop.get('format', '')}")
    if types.get("additional_fields") not in JSON_TYPES:
        problems.append(f"additional_fields: {types.get('additional_fields')}, not json/jsonb")
    for (named_stream, column), allowed in NAMED_TYPES.items():
        if named_stream == stream and types.get(column) not in allowed:
            problems.append(f"{column}: {types.get(column)}, not {'/'.join(sorted(allowed))}")
    # A column its schema gives no type (a custom field of a type the connector does not know)
    # holds the values as sent: any type, whatever they look like.
    untyped = {c for c, prop in schema["properties"].items() if custom_kind(prop) == "untyped"}
    for column, actual in types.items():
        named = any(problem.startswith(f"{column}: ") for problem in problems)
        if actual in TEXT_TYPES and column not in JSON_TEXT_COLUMNS | untyped and not named:
            values = [row.get(column) for row in rows]
            misfit = text_misfit(values)
            if misfit:
                problems.append(f"{column}: {actual} holding {misfit}")
            present = [v for v in values if v]
            if present and all(LOCAL_DATETIME.fullmatch(v) for v in present):
                problems.append(f"{column}: {actual} holding zone-less date-times (e.g. {present[0]})")
    return problems


# The kinds of custom field the sandbox defines (tests/interop's sandbox: text, long text, choice,
# link, multiple choices, date, number, yes/no), each of which must have a column to check.
CUSTOM_KINDS = {"string", "strings", "date", "number", "boolean"}
# The columns people_custom_fields has whatever the custom fields.
CUSTOM_FIXED = {"person_id", "company_id", "updated_at", "timestamp", "_ab_cdc_deleted_at",
                "additional_fields"}


def check_custom_columns(checks: Checks, cache: Any, schema: dict[str, Any]) -> None:
    """people_custom_fields' columns from the definitions: one of each kind the sandbox defines,
    with its table type (what the column type check above held them to)."""
    table = cache.processor.get_sql_table_name("people_custom_fields")
    types = column_types(cache, table)
    kinds: dict[str, list[str]] = {}
    for column, prop in schema["properties"].items():
        if column not in CUSTOM_FIXED:
            kinds.setdefault(custom_kind(prop), []).append(f"{column} {types.get(column)}")
    summary = "; ".join(f"{kind}: {', '.join(cols[:2])}" for kind, cols in sorted(kinds.items()))
    checks.check(
        f"people_custom_fields: {sum(map(len, kinds.values()))} custom columns from the definitions "
        f"({summary})",
        CUSTOM_KINDS <= set(kinds),
        f"no column of kind {sorted(CUSTOM_KINDS - set(kinds))}",
    )


def table_rows(cache: Any, stream: str) -> list[dict[str, Any]]:
    """Every row of a stream's cache table."""
    table = cache.processor.get_sql_table_name(stream)
    return cache.run_sql_query(f'SELECT * FROM "{SCHEMA}"."{table}"')


def check_rows(checks: Checks, read: str, stream: str, rows: list[dict[str, Any]], total: int) -> None:
    """Every row once: live rows (no `_ab_cdc_deleted_at`) as many as served, no key twice."""
    key = KEYS[stream]
    ids = [row[key] for row in rows]
    live = sum(1 for row in rows if row.get("_ab_cdc_deleted_at") is None)
    checks.check(
        f"{read} {stream}: every row once ({live} of {total} rows, {len(ids)} {key}s)",
        live == total and len(ids) == len(set(ids)),
        f"{len(ids) - len(set(ids))} duplicated {key}s",
    )


def check_merged(
    checks: Checks,
    stream: str,
    rows: list[dict[str, Any]],
    changed: dict[str, str],
    deleted: list[str],
) -> None:
    """The changed rows hold their new updated_at; each deleted row is its delete record (rows by
    the stream's primary key)."""
    key = KEYS[stream]
    by_id = {row[key]: row for row in rows}
    stale = sorted(
        row_id for row_id, updated_at in changed.items()
        if row_id not in by_id or as_datetime(by_id[row_id]["updated_at"]) != as_datetime(updated_at)
    )
    if changed:
        checks.check(
            f"read #2 {stream}: the {len(changed)} changed rows merged in place",
            not stale,
            f"missing or old updated_at: {stale[:5]}",
        )
    if deleted:
        keep = {key, "updated_at", "timestamp", "_ab_cdc_deleted_at"}
        wrong = []
        for row_id in deleted:
            row = by_id.get(row_id)
            filled = [] if row is None else [
                k for k, v in row.items()
                if v is not None and k not in keep and not k.startswith("_airbyte_")
            ]
            if row is None or row.get("_ab_cdc_deleted_at") is None or filled:
                wrong.append(f"{row_id}: {'absent' if row is None else filled or 'not marked'}")
        checks.check(
            f"read #2 {stream}: the {len(deleted)} deleted rows are delete records "
            "(_ab_cdc_deleted_at set, other columns null)",
            not wrong,
            "; ".join(wrong[:3]),
        )


# Subprocess failures PyAirbyte raised while closing a connector's output (it reads the message it
# needs, stops reading and terminates the connector; the failure is then raised inside a generator
# being closed, so Python prints it as "Exception ignored in" and the caller never sees it).
PRINTED_FAILURES: list[str] = []


def record_unraisable(unraisable: Any) -> None:
    """sys.unraisablehook: records subprocess failures, then prints as Python does."""
    if isinstance(unraisable.exc_value, AirbyteSubprocessFailedError):
        PRINTED_FAILURES.append(" ".join(str(unraisable.exc_value).split())[:300])
    sys.__unraisablehook__(unraisable)


def spec_and_discover(checks: Checks, executable: Path, config: dict[str, Any]) -> None:
    """Ten calls through PyAirbyte, each on a fresh source: no subprocess failure, raised or printed."""
    failures: list[str] = []
    printed_before = len(PRINTED_FAILURES)
    for call in range(10):
        source = ab.get_source(
            "source-humaans", local_executable=str(executable), config=config, install_if_missing=False,
        )
        try:
            if call % 2 == 0:
                source._get_spec(force_refresh=True)  # noqa: SLF001  (what config_spec runs)
            else:
                assert source.discovered_catalog.streams
        except AirbyteSubprocessFailedError as error:
            failures.append(" ".join(str(error).split())[:300])
        del source  # the connector's output is closed here, at the latest
    failures += PRINTED_FAILURES[printed_before:]
    checks.check(
        f"pyairbyte: 5 spec + 5 discover calls, {len(failures)} subprocess failures",
        not failures,
        "; ".join(failures[:2]),
    )


def terminated_after_message(checks: Checks, executable: Path, config_path: Path) -> None:
    """spec and discover sent SIGTERM the moment their message is read, as PyAirbyte's executor
    does when it is still running: each must end with 0 or by SIGTERM (-15), never exit 143."""
    codes = []
    for call in range(10):
        args = ["spec"] if call % 2 == 0 else ["discover", "--config", str(config_path)]
        process = subprocess.Popen(
            [str(executable), *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert process.stdout is not None
        process.stdout.readline()
        if process.poll() is None:
            process.terminate()
        try:
            codes.append(process.wait(timeout=10))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait())
        process.stdout.close()
    checks.check(
        f"spec and discover terminated after their message: exit codes {sorted(set(codes))}",
        set(codes) <= {0, -15},
        "PyAirbyte accepts 0 and -15 only",
    )


HISTORY_SCHEMA = "humaans_history"


def write_executable(folder: Path) -> Path:
    """A script PyAirbyte runs as the connector (it execs the connector command from this
    checkout), in this run's own folder: another checkout's run never swaps it."""
    script = folder / "source-humaans"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f"cd {json.dumps(str(ROOT))} || exit 1\n"
        f"exec {' '.join(connector_command())} \"$@\"\n"
    )
    script.chmod(0o755)
    return script


def readme_history_query() -> str:
    """The README's query for the live rows of an append table (its ```sql block with PARTITION BY
    id), run here on the append cache, so the README shows a query that works."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.S)
    query = next(block for block in blocks if "PARTITION BY id" in block)
    return query.replace("humaans.", f"{HISTORY_SCHEMA}.").rstrip().rstrip(";")


def check_history(
    checks: Checks, history: Any, totals: dict[str, int], deleted: dict[str, list[str]]
) -> None:
    """The README's query on an append table (every version kept): the live rows, no deleted id."""
    for stream, ids in deleted.items():
        table = history.processor.get_sql_table_name(stream)
        query = readme_history_query().replace(f"{HISTORY_SCHEMA}.{stream}", f"{HISTORY_SCHEMA}.{table}")
        live = history.run_sql_query(query)
        versions = history.run_sql_query(f'SELECT count(*) AS n FROM "{HISTORY_SCHEMA}"."{table}"')
        gone = sorted({row["id"] for row in live} & set(ids))
        checks.check(
            f"append cache {stream}: the README's query gives the {len(live)} live rows of "
            f"{versions[0]['n']} versions ({totals[stream]} served, deleted ones absent)",
            len(live) == totals[stream] and not gone and versions[0]["n"] > totals[stream],
            f"deleted ids listed: {gone[:3]}",
        )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="source-humaans-warehouse-") as folder:
        return run(Path(folder))


def run(folder: Path) -> int:
    """The whole check, its files (executable, config, PyAirbyte's batches) under `folder`."""
    checks = Checks()
    sys.unraisablehook = record_unraisable
    started = time.monotonic()
    sandbox = SandboxHelper()
    try:
        config = {  # typed values: PyAirbyte validates the config against spec.json
            "api_token": sandbox.token,
            "base_url": sandbox.url,
            "max_records_per_page": 250,
            "detect_deletes": True,
        }
        executable = write_executable(folder)
        source = ab.get_source("source-humaans", local_executable=str(executable), config=config)
        source.select_all_streams()
        schemas = {s.name: s.json_schema for s in source.discovered_catalog.streams}
        declared = {
            configured.stream.name: configured.stream.source_defined_primary_key
            for configured in source.get_configured_catalog().streams
        }
        KEYS.update({name: key[0][0] for name, key in declared.items() if key and len(key[0]) == 1})
        checks.check(
            "catalog: every stream's primary key is one column (people_custom_fields: person_id)",
            sorted(KEYS) == sorted(declared) == sorted(sandbox.totals)
            and all(len(key) == 1 for key in declared.values())
            and KEYS.get("people_custom_fields") == "person_id",
            str(declared),
        )
        cache = PostgresCache(
            host="127.0.0.1",
            port=int(os.environ["WAREHOUSE_PG_PORT"]),
            username="airbyte",
            password=os.environ["WAREHOUSE_PG_PASSWORD"],
            database="postgres",
            schema_name=SCHEMA,
            cache_dir=folder / "batches",
        )
        began = time.monotonic()
        first = checks.run("read #1 into PostgresCache", lambda: source.read(cache=cache))
        print(f"     read #1 took {time.monotonic() - began:.1f} s", flush=True)
        if first is not None:
            for stream, total in sandbox.totals.items():
                rows = table_rows(cache, stream) if stream in cache.streams else []
                check_rows(checks, "read #1", stream, rows, total)
                problems = type_problems(cache, stream, schemas[stream], rows)
                checks.check(
                    f"{stream}: column types (as declared; nested json, numbers numeric, "
                    "dates date, timestamps timestamp)",
                    not problems,
                    "; ".join(problems),
                )
            check_custom_columns(checks, cache, schemas["people_custom_fields"])

        # The same reads into a second schema with write_strategy="append": every version kept.
        history = PostgresCache(
            host=cache.host,
            port=cache.port,
            username=cache.username,
            password=cache.password,
            database=cache.database,
            schema_name=HISTORY_SCHEMA,
            cache_dir=folder / "history_batches",
        )
        appended = checks.run(
            "read #1 into an append cache",
            lambda: source.read(cache=history, write_strategy="append"),
        )

        changed = sandbox.change(CHANGES)
        deleted: dict[str, list[str]] = sandbox.last_deleted
        print(
            f"     changed in the sandbox: { {k: len(v) for k, v in changed.items()} }, "
            f"deleted: { {k: len(v) for k, v in deleted.items()} }",
            flush=True,
        )
        began = time.monotonic()
        second = checks.run("read #2 into PostgresCache", lambda: source.read(cache=cache))
        print(f"     read #2 took {time.monotonic() - began:.1f} s", flush=True)
        if second is not None:
            for stream, total in sandbox.totals.items():
                rows = table_rows(cache, stream)
                check_rows(checks, "read #2", stream, rows, total)
                check_merged(checks, stream, rows, changed.get(stream, {}), deleted.get(stream, []))
        if appended is not None and checks.run(
            "read #2 into an append cache",
            lambda: source.read(cache=history, write_strategy="append"),
        ) is not None:
            check_history(checks, history, sandbox.totals, deleted)

        spec_and_discover(checks, executable, config)
        config_path = folder / "config.json"
        config_path.write_text(json.dumps(config))
        terminated_after_message(checks, executable, config_path)
        checks.check(
            f"pyairbyte: no subprocess failure printed in the whole run ({len(PRINTED_FAILURES)})",
            not PRINTED_FAILURES,
            "; ".join(PRINTED_FAILURES[:2]),
        )
    except Exception as error:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        checks.check("warehouse run", False, f"{type(error).__name__}: {error}")
    finally:
        sandbox.close()
    print(f"     took {time.monotonic() - started:.1f} s", flush=True)
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
