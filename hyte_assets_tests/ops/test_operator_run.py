"""Issue 18, fault 10: failures were hard to read. A rejected delivery or a failed ERROR check still
ended "refresh finished" with exit 0; a real failure ended "see the log above" after 400 DEBUG lines;
run-failure notes were written only by the daemon's sensor, never for `make run`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from hyte_assets import refresh
from hyte_assets.lib import preflight
from hyte_assets.refresh_summary import Summary

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_with_a_rejected_delivery_exits_4_with_a_readable_summary(
    project_copy: Path, tmp_path: Path
) -> None:
    # A new count delivery beside the good ones, with a value that is not a number in row 3.
    header = (project_copy / "local" / "demo" / "laskennat_2021-2025.csv").read_text(encoding="utf-8-sig")
    rows = [header.splitlines()[0], "esteettomat_reitit;2026;;640,0;", "esteettomat_reitit;2027;;12,5x;"]
    (project_copy / "local" / "laskennat_2026.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "hyte_assets" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("HYTE_LOG_LEVEL", None)

    done = subprocess.run(
        [sys.executable, "-m", "hyte_assets.refresh"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == refresh.EXIT_DELIVERY_REJECTED, output[-3000:]
    assert "hyte_assets refresh FAILED (exit 4" in done.stdout
    assert "laskennat_2026.csv row 3 column arvo" in done.stdout
    assert "raw/local_rejections:local_deliveries_accepted" in done.stdout  # the ERROR check, by severity
    assert "Demo share of scorecard rows:" in done.stdout
    assert str((project_copy / "warehouse" / "hyte_reports.duckdb").resolve()) in done.stdout
    for source in ("sotkanet", "statfin", "employment", "local"):
        assert f"\n  {source} " in done.stdout
    assert " - DEBUG - " not in output and "STEP_START" not in output  # INFO by default
    # Only a successful refresh is recorded, so the next `make run` runs again (lib/refresh_state.py).
    assert "refreshing: no successful refresh recorded yet" in done.stderr
    assert not (project_copy / "warehouse" / "hyte.duckdb.refresh.json").exists()


def settings_for(tmp_path: Path) -> preflight.Settings:
    return preflight.Settings(
        source_mode="snapshot",
        municipality_code="111",
        municipality_name="Heinola",
        region_scope="plan",
        data_dir=tmp_path,
        duckdb_path=tmp_path / "missing.duckdb",
        payment_year=2026,
        assumption_set="default",
    )


@dg.asset
def table_a() -> None: ...


@dg.asset_check(asset=table_a, blocking=True)
def table_a_has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, metadata={"rows": 0})


@dg.asset_check(asset=table_a)
def table_a_soft_rule() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[table_a])
def downstream() -> None: ...


@dg.asset(tags={"source": "sotkanet"})
def broken_source() -> None:
    raise RuntimeError("sotkanet: indicator 5: HTTP 503 from http://127.0.0.1/indicators/5")


def run(*assets: dg.AssetsDefinition, checks=()) -> dg.ExecuteInProcessResult:
    job = dg.Definitions(
        assets=list(assets), asset_checks=list(checks)
    ).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(raise_on_error=False, instance=dg.DagsterInstance.ephemeral())


def test_a_failed_blocking_check_exits_3_and_lists_checks_by_severity(tmp_path: Path) -> None:
    summary = Summary.collect(
        [run(table_a, downstream, checks=[table_a_has_rows, table_a_soft_rule])], settings_for(tmp_path)
    )
    assert summary.exit_code() == refresh.EXIT_BLOCKING_CHECK
    text = summary.text()
    assert "Checks failed, ERROR (1):\n  table_a:table_a_has_rows (blocking)" in text
    assert "Checks failed, WARN (1):\n  table_a:table_a_soft_rule" in text


def test_a_failed_step_exits_1_names_the_error_and_writes_the_failure_note(tmp_path: Path) -> None:
    result = run(broken_source)
    settings = settings_for(tmp_path)
    summary = Summary.collect([result], settings)
    assert summary.exit_code() == refresh.EXIT_RUN_FAILED
    assert "broken_source: RuntimeError: sotkanet: indicator 5: HTTP 503" in summary.text()
    note = refresh.write_failure_note(result, settings)
    assert note == tmp_path / "reports" / "run_failures" / f"{result.run_id}.md"
    text = note.read_text(encoding="utf-8")
    assert "### `broken_source` (source `sotkanet`)" in text
    assert "HTTP 503 from http://127.0.0.1/indicators/5" in text


def test_a_clean_result_exits_0(tmp_path: Path) -> None:
    assert Summary.collect([run(table_a)], settings_for(tmp_path)).exit_code() == refresh.EXIT_OK


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_log_level_comes_from_hyte_log_level(monkeypatch: pytest.MonkeyPatch, level: str) -> None:
    monkeypatch.setenv("HYTE_LOG_LEVEL", level.lower())
    assert refresh.run_config()["loggers"]["console"]["config"]["log_level"] == level


def test_exit_codes_are_documented() -> None:
    """docs/operations.md and the README list every exit status `make run` can return."""
    for doc in (ROOT / "docs" / "operations.md", ROOT / "README.md"):
        text = doc.read_text(encoding="utf-8")
        for code in refresh.EXIT_CODES:
            assert f"| {code} |" in text, (doc, code)
