"""Publishing to the BI serving file (hyte_assets.lib.publish and the `publish` asset).

The promise to BI users: a reader that holds the serving file open keeps reading one consistent
publication while any number of publishes run; publishing never waits for or fails because of
such a reader; a new connection sees the newest publication.
"""

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets.defs.reports.assets import publish as publish_asset
from hyte_assets.defs.resources import WarehouseResource
from hyte_assets.lib.publish import PUBLICATION_TABLE, publish, serving_path

ROWS_PER_VERSION = 1000

# Reads the serving file in a loop through ONE connection until the stop file appears. Every read
# must see a single publication whose row count matches its version (a torn copy would not).
READER = textwrap.dedent(
    """
    import os, sys, duckdb
    path, stop, per_version = sys.argv[1], sys.argv[2], int(sys.argv[3])
    con = duckdb.connect(path, read_only=True)
    print("ready", flush=True)
    seen, reads = set(), 0
    while not os.path.exists(stop) or reads == 0:
        rows, versions, version, goals = con.execute(
            "select count(*), count(distinct version), min(version), "
            "(select count(*) from catalog.goals) from reports.numbers"
        ).fetchone()
        if versions != 1 or rows != per_version * version or goals != version:
            print(f"inconsistent: rows={rows} versions={versions} version={version} goals={goals}")
            sys.exit(1)
        seen.add(version)
        reads += 1
    print("seen", ",".join(map(str, sorted(seen))), "reads", reads, flush=True)
    """
)


def write_working(path: Path, version: int) -> None:
    """A working warehouse at `version`: reports.numbers has version × 1000 rows, catalog.goals
    `version` rows, and a raw table that must never be published."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists reports; create schema if not exists catalog")
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table reports.numbers as "
            f"select {version} as version, i, i / 10 as share, i % 2 = 0 as flag, "
            "timestamp '2026-11-30 06:00:00' as fetched_at, ['a', 'b'] as tags "
            f"from range({ROWS_PER_VERSION * version}) as t(i)"
        )
        con.execute(
            f"create or replace table catalog.goals as select 'g' || i as goal_id from range({version}) t(i)"
        )
        con.execute("create or replace table raw.secret as select 1 as x")
    finally:
        con.close()


def published_version(serving: Path) -> int:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute("select max(version) from reports.numbers").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def working(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "hyte.duckdb"
    path.parent.mkdir()
    write_working(path, 1)
    return path


@pytest.fixture
def reader(working: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A second process holding the serving file open read-only (published at version 1)."""
    publish(working, serving_path(working))
    stop = tmp_path / "stop"
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(serving_path(working)), str(stop), str(ROWS_PER_VERSION)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.stderr.read() if process.stderr else ""
        yield process, stop
    finally:
        stop.touch()
        process.wait(timeout=30)


def test_serving_file_sits_beside_the_working_file(working: Path) -> None:
    assert serving_path(working) == working.parent / "hyte_reports.duckdb"


def test_publish_copies_reports_and_catalog_only(working: Path) -> None:
    serving = serving_path(working)
    tables = publish(working, serving)

    assert sorted(t.name for t in tables) == ["catalog.goals", "reports.numbers"]
    con = duckdb.connect(str(serving), read_only=True)
    try:
        # `reports.<table>` resolves on a direct connection (no catalog named `reports`)
        assert con.execute("select count(*) from reports.numbers").fetchone()[0] == ROWS_PER_VERSION
        schemas = {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"reports", "catalog", "meta"}
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'numbers'"
            ).fetchall()
        )
        assert types == {
            "version": "INTEGER",
            "i": "BIGINT",
            "share": "DOUBLE",
            "flag": "BOOLEAN",
            "fetched_at": "TIMESTAMP",
            "tags": "VARCHAR[]",
        }
        published = dict(con.execute(f"select table_name, row_count from {PUBLICATION_TABLE}").fetchall())
        assert published == {"reports.numbers": ROWS_PER_VERSION, "catalog.goals": 1}
    finally:
        con.close()
    assert not serving.with_name(serving.name + ".tmp").exists()


def test_open_reader_keeps_a_consistent_snapshot_while_publishes_run(
    working: Path, reader: tuple[subprocess.Popen[str], Path]
) -> None:
    process, stop = reader
    serving = serving_path(working)
    for version in (2, 3, 4):
        write_working(working, version)
        if version == 3:  # once through the Dagster asset, as a refresh runs it
            result = dg.materialize(
                [publish_asset], resources={"warehouse": WarehouseResource(database=str(working))}
            )
            assert result.success
        else:
            publish(working, serving)
        # a new connection after the publish sees the new data
        assert published_version(serving) == version
        assert process.poll() is None, "the reader died during a publish"
    stop.touch()
    out, err = process.communicate(timeout=30)

    assert process.returncode == 0, out + err
    assert out.split()[:2] == ["seen", "1"], f"the open connection must keep its publication: {out}"
    assert int(out.split()[-1]) > 10, out


def test_a_writer_on_the_working_file_fails_publish_cleanly(working: Path, tmp_path: Path) -> None:
    serving = serving_path(working)
    publish(working, serving)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(60)",
            str(working),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        # the holder keeps the file for 60 s: raising at all shows the 0.5 s lock wait gave up
        with pytest.raises(RuntimeError, match="cannot attach the working warehouse"):
            publish(working, serving, lock_timeout_s=0.5)
    finally:
        holder.kill()
        holder.wait()
    assert published_version(serving) == 1, "a failed publish must leave the serving file as it was"
    assert not serving.with_name(serving.name + ".tmp").exists()


def test_a_connection_left_open_in_this_process_is_named(working: Path) -> None:
    """Each asset closes its connection; publish says so plainly when one was left open."""
    leaked = duckdb.connect(str(working))
    try:
        with pytest.raises(RuntimeError, match="still open in this process"):
            publish(working, serving_path(working))
    finally:
        leaked.close()


def test_a_run_that_keeps_the_working_file_open_publishes_the_same_copy(working: Path) -> None:
    """A run keeps the warehouse open (`held_open`); publish then copies through the run's own
    connection, with the same tables, types, rows and recorded fingerprints as from a closed file."""
    from hyte_assets.lib.publish import serving_problems
    from hyte_assets.lib.warehouse import connect, held_open, is_held

    closed_copy = working.with_name("closed.duckdb")
    publish(working, closed_copy)
    serving = serving_path(working)
    with held_open(working):
        assert is_held(working)
        tables = publish(working, serving)
        with connect(working, read_only=True) as con:  # the run's connection still works after it
            assert con.execute("select current_database()").fetchone()[0] == working.stem
            assert con.execute("select count(*) from reports.numbers").fetchone()[0] == ROWS_PER_VERSION
    assert not is_held(working)

    def contents(path: Path) -> tuple[object, ...]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return (
                con.execute("select * from reports.numbers order by i").fetchall(),
                con.execute(
                    "select table_name, column_name, data_type from duckdb_columns() "
                    "where schema_name in ('reports', 'catalog') order by all"
                ).fetchall(),
                con.execute(
                    f"select table_name, row_count, version from {PUBLICATION_TABLE} order by 1"
                ).fetchall(),
            )
        finally:
            con.close()

    assert sorted(t.name for t in tables) == ["catalog.goals", "reports.numbers"]
    assert contents(serving) == contents(closed_copy)
    assert serving_problems(serving, working) == []
    assert not list(serving.parent.glob(".*.tmp"))


def test_a_held_warehouse_is_one_connection_until_the_last_release(working: Path) -> None:
    """Re-entrant: `make run` holds it around both jobs and each job's resource again. Writes through
    one cursor are visible to the next; the file is free for other processes only after the last
    release (a read-only open in this process would otherwise clash with the held configuration)."""
    from hyte_assets.lib.warehouse import connect, held_open, is_held

    with held_open(working):
        with held_open(working), connect(working) as con:
            con.execute("create table raw.written_in_run as select 42 as answer")
        assert is_held(working)
        with connect(working, read_only=True) as con:
            assert con.execute("select answer from raw.written_in_run").fetchone() == (42,)
    assert not is_held(working)
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; print(duckdb.connect({str(working)!r}).execute("
            "'select answer from raw.written_in_run').fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == "42"


# --- issue 18: concurrent publishes, and knowing when the serving file is broken ----------------


def test_each_publish_writes_its_own_temporary_file(working: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two publishes that shared `<serving>.tmp` removed and overwrote each other's half-built copy."""
    import os

    import hyte_assets.lib.publish as publish_module

    serving = serving_path(working)
    other = serving.with_name(serving.name + ".tmp")  # what a concurrent publish (old code) writes
    other.write_bytes(b"another publish is writing this")
    swapped: list[Path] = []
    real_replace = os.replace

    def recording_replace(src: str | Path, dst: str | Path) -> None:
        swapped.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(publish_module.os, "replace", recording_replace)
    publish(working, serving)
    publish(working, serving)

    assert other.read_bytes() == b"another publish is writing this"
    assert len(set(swapped)) == 2 and other not in swapped
    assert all(p.parent == serving.parent and not p.exists() for p in swapped)
    assert published_version(serving) == 1


def test_serving_problems_name_a_truncated_stale_or_missing_file(working: Path) -> None:
    from hyte_assets.lib.publish import serving_problems

    serving = serving_path(working)
    assert serving_problems(serving, working) == [f"{serving} is missing"]
    publish(working, serving)
    assert serving_problems(serving, working) == []

    write_working(working, 2)
    assert serving_problems(serving, working) == [
        f"catalog.goals in {serving} differs from the working file",
        f"reports.numbers in {serving} differs from the working file",
    ]
    publish(working, serving)
    assert serving_problems(serving, working) == []

    serving.write_bytes(serving.read_bytes()[: serving.stat().st_size // 2])
    (problem,) = serving_problems(serving, working)
    assert problem.startswith(f"{serving} does not open as a publication")


def test_output_problems_list_missing_exports_and_reports(working: Path, tmp_path: Path) -> None:
    from hyte_assets.lib.exports import export_dir, export_tables
    from hyte_assets.lib.outputs import output_problems

    data = tmp_path / "data"
    publish(working, serving_path(working))
    con = duckdb.connect(str(serving_path(working)), read_only=True)
    try:
        export_tables(con, ["reports.numbers"], data / "exports")
    finally:
        con.close()
    reports = data / "reports"
    reports.mkdir()
    for name in ("vuosiraportti_2026.html", "vuosiraportti_2026_en.html"):
        (reports / name).write_text("<html><body>raportti</body></html>\n", encoding="utf-8")
    assert {k: output_problems(k, data, working) for k in ("publish", "exports", "vuosiraportti")} == {
        "publish": [],
        "exports": [],
        "vuosiraportti": [],
    }

    (export_dir(data / "exports") / "numbers.xlsx").unlink()
    (reports / "vuosiraportti_2026_en.html").unlink()
    (reports / "vuosiraportti_2026.html").write_text("<html><body>rapo", encoding="utf-8")

    assert output_problems("exports", data, working) == [
        f"{export_dir(data / 'exports') / 'numbers.xlsx'} is missing"
    ]
    assert output_problems("vuosiraportti", data, working) == [
        f"{reports / 'vuosiraportti_2026.html'} is cut short (no closing </html>)",
        f"{reports / 'vuosiraportti_2026_en.html'} is missing",
    ]
