"""Issue 18, fault 1: a bad municipality code overwrote good output. `HYTE_MUNICIPALITY_CODE=98` was
written to `meta.settings` as `98` while the sources padded it to `098`; with `abc` the run failed
but `meta.settings` was already rewritten. These tests use only names that existed before the fix,
so they fail on the old code by assertion, not by import."""

from pathlib import Path

import dagster as dg
import pytest

from hyte_assets.defs.catalog.settings_asset import pipeline_settings
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource, default_resources
from hyte_assets.lib import warehouse as wh


def settings_row(database: Path) -> list[tuple]:
    with wh.connect(database, read_only=True) as con:
        return con.execute("select municipality_code from meta.settings").fetchall()


def test_meta_settings_records_the_padded_code(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`HYTE_MUNICIPALITY_CODE=98` used to be written as `98` while the sources padded it to `098`."""
    monkeypatch.setenv("HYTE_MUNICIPALITY_CODE", "98")
    result = dg.materialize([pipeline_settings], resources=default_resources(), raise_on_error=False)
    assert result.success
    assert settings_row(project_copy / "warehouse" / "hyte.duckdb") == [("098",)]


def test_bad_code_fails_before_meta_settings_is_touched(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `abc` the run failed but `meta.settings` was already rewritten; the next sensor run then
    published an empty report and reported success."""
    database = project_copy / "warehouse" / "hyte.duckdb"
    assert dg.materialize([pipeline_settings], resources=default_resources()).success
    monkeypatch.setenv("HYTE_MUNICIPALITY_CODE", "abc")
    result = dg.materialize([pipeline_settings], resources=default_resources(), raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RESOURCE_INIT_FAILURE]
    assert len(failures) == 1 and "HYTE_MUNICIPALITY_CODE='abc'" in str(failures[0].event_specific_data)
    assert not result.get_asset_materialization_events()
    assert settings_row(database) == [("111",)]


def test_meta_settings_is_put_back_when_the_run_fails_later(project_copy: Path) -> None:
    """Valid settings, but the run fails after `meta.settings` was written: the old row comes back."""
    database = project_copy / "warehouse" / "hyte.duckdb"
    resources = {
        "warehouse": WarehouseResource(database=str(database)),
        "settings": PipelineSettings(data_dir=str(project_copy)),
    }
    assert dg.materialize([pipeline_settings], resources=resources).success

    @dg.asset(deps=[pipeline_settings])
    def breaks_later(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("select 1")
        raise RuntimeError("a source failed")

    resources["settings"] = PipelineSettings(data_dir=str(project_copy), municipality_code="98")
    result = dg.materialize([pipeline_settings, breaks_later], resources=resources, raise_on_error=False)
    assert not result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey(["meta", "settings"])
    ]
    assert settings_row(database) == [("111",)]
