"""Issue 18, fault 1 (a bad municipality code overwrote good output) and the settings part of fault 10
(settings errors surfaced as many step errors): settings are normalised and checked once, before any
asset runs, with one message naming the variable, and `meta.settings` changes only with a good run."""

from pathlib import Path

import dagster as dg
import pytest

from hyte_assets import refresh
from hyte_assets.defs.catalog.settings_asset import pipeline_settings
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource, default_resources
from hyte_assets.lib import preflight
from hyte_assets.lib import warehouse as wh


def values(data_dir: Path, **changes: str) -> dict[str, str]:
    base = {
        **refresh.DEFAULTS,
        "HYTE_DATA_DIR": str(data_dir),
        "HYTE_DUCKDB_PATH": str(data_dir / "w.duckdb"),
    }
    return {**base, **changes}


def settings_row(database: Path) -> list[tuple]:
    with wh.connect(database, read_only=True) as con:
        return con.execute("select municipality_code from meta.settings").fetchall()


@pytest.mark.parametrize(("raw", "code", "name"), [("98", "098", "Hollola"), (" 111 ", "111", "Heinola")])
def test_municipality_code_is_zero_padded_and_named(
    project_copy: Path, raw: str, code: str, name: str
) -> None:
    checked = preflight.check(values(project_copy, HYTE_MUNICIPALITY_CODE=raw))
    assert (checked.municipality_code, checked.municipality_name) == (code, name)


@pytest.mark.parametrize(
    ("variable", "raw", "says"),
    [
        ("HYTE_MUNICIPALITY_CODE", "abc", "not 1–3 digits"),
        ("HYTE_MUNICIPALITY_CODE", "999", "no municipality with code '999'"),
        ("HYTE_PAYMENT_YEAR", "abc", "not a whole number"),
        ("HYTE_PAYMENT_YEAR", "1999", "outside 2023"),
        ("HYTE_SOURCE_MODE", "lvie", "expected one of snapshot, live"),
        ("HYTE_ASSUMPTION_SET", "nosuch", "no such set"),
        ("HYTE_DATA_DIR", "/nonexistent/data", "not a folder"),
    ],
)
def test_a_bad_setting_is_one_message_naming_the_variable(
    project_copy: Path, variable: str, raw: str, says: str
) -> None:
    with pytest.raises(preflight.PreflightError) as caught:
        preflight.check(values(project_copy, **{variable: raw}))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{variable}={raw!r}: ")
    assert says in caught.value.problems[0]


def test_duckdb_path_that_is_a_folder_is_named(project_copy: Path) -> None:
    with pytest.raises(preflight.PreflightError, match=r"HYTE_DUCKDB_PATH=.*is a folder"):
        preflight.check(values(project_copy, HYTE_DUCKDB_PATH=str(project_copy)))


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
        dg.AssetKey("pipeline_settings")
    ]
    assert settings_row(database) == [("111",)]


def test_make_run_stops_on_bad_settings_with_exit_2(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`HYTE_PAYMENT_YEAR=abc` used to break the code location; now `make run` says so and stops."""
    monkeypatch.setenv("HYTE_PAYMENT_YEAR", "abc")
    monkeypatch.setenv("HYTE_MUNICIPALITY_CODE", "12x")
    assert refresh.main() == refresh.EXIT_SETTINGS
    err = capsys.readouterr().err
    assert "HYTE_PAYMENT_YEAR='abc': not a whole number" in err
    assert "HYTE_MUNICIPALITY_CODE='12x'" in err
    assert not (project_copy / "warehouse" / "hyte.duckdb").exists()
