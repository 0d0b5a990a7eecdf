"""A refresh with nothing new does almost no work; a changed input is always noticed."""

import os
from pathlib import Path

import dagster as dg

from hyte_assets_tests.conftest import run_job

MONTHS = ("2025-12-01", "2026-06-01")


def skipped(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        if (flag := e.materialization.metadata.get("skipped_unchanged_inputs")) is not None and flag.value
    }


def replayed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if "reused_verdict" in e.metadata}


def test_second_refresh_skips_and_a_changed_file_is_noticed(project_copy: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    assert run_job("employment_monthly_job", partition_range=MONTHS, instance=instance).success
    first = run_job("refresh_all", instance=instance)
    assert first.success and not skipped(first)

    second = run_job("refresh_all", instance=instance)
    assert second.success
    done = skipped(second)
    # Sources, SQL models, the hyte view and the outputs all saw unchanged inputs.
    for key in (
        "raw/sotkanet_values",
        "raw/statfin_values",
        "raw/local_counts",
        "marts/indicator_values",
        "reports/scorecard_indicator",
        "reports/hyte_kerroin",
        "publish",
        "exports",
        "vuosiraportti",
    ):
        assert key in done, key
    replayed = replayed_checks(second)
    assert "ge_valid" in replayed
    assert any(name.startswith("indicator_values__unique__") for name in replayed)  # a SQL header test

    # Touching a recorded response (new size and time) makes its source read it again.
    snapshot = project_copy / "snapshots" / "statfin" / "tjt__14ww.data.json"
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(snapshot)
    third = run_job("refresh_all", instance=instance)
    assert third.success
    assert "raw/statfin_values" not in skipped(third)
    assert "raw/sotkanet_values" in skipped(third)
