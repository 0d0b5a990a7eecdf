"""raw.kouluterveyskysely_sample_sizes in live mode against a THL cube stand-in on 127.0.0.1 (the
JSON-stat answer with `tiku_vtype` n, as thl-report-tea-ktk.md §3 describes it), its faults, and
the shipped empty configuration."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets_tests.conftest import run_job, step_failures, warehouse_path
from hyte_assets_tests.lib.test_thl_cube_client import CONFIG_ROW, ktk_answer, write_config
from hyte_assets_tests.stub_servers import StubServer

ASSET = "raw/kouluterveyskysely_sample_sizes"
ASSETS = ["catalog/measures", "raw/sotkanet_regions", ASSET]
FACT = Path("ktk/ktk1/fact_ktk1.json")
MEASURE = "ktk_koulukiusattu_viikoittain"
# The hand-made answer (hyte_assets_tests/lib/test_thl_cube_client.py): Heinola 2025, 8.-9. lk girls
# 152 and boys 148 respondents; lukio has a value but no n.
LANDED = [
    (MEASURE, "8.-9. lk", "111", "kunta", 2025, "female", 152.0, "ktk/ktk1/ktk1", False),
    (MEASURE, "8.-9. lk", "111", "kunta", 2025, "male", 148.0, "ktk/ktk1/ktk1", False),
]


def configure(data: Path) -> None:
    """Two configured questions to the (placeholder) cube ktk/ktk1: 8.-9. lk and lukio."""
    row = {**CONFIG_ROW, "measure_id": MEASURE, "evidence": "test stand-in (placeholder ids)"}
    lukio = {**row, "school_level": "lukio", "school_level_label": "Lukio"}
    write_config(data / "catalog" / "thl_cube_sample_sizes.csv", row, lukio)


@pytest.fixture
def cube_env(project_copy, tmp_path, monkeypatch):
    root = tmp_path / "thl_cube"
    (root / FACT).parent.mkdir(parents=True)
    (root / FACT).write_text(json.dumps(ktk_answer()), "utf-8")
    configure(project_copy)
    with (
        StubServer("sotkanet", project_copy / "snapshots" / "sotkanet") as sotkanet,
        StubServer("thl_cube", root) as thl,
    ):
        monkeypatch.setenv("HYTE_SOURCE_MODE", "live")
        monkeypatch.setenv("HYTE_SOTKANET_URL", sotkanet.url)
        monkeypatch.setenv("HYTE_THL_CUBE_URL", thl.url)
        yield {"thl": thl, "root": root}


def rows() -> list[tuple]:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.execute(
            "select measure_id, school_level, region_code, region_level, year, gender, sample_size, "
            f"cube, is_demo from {ASSET.replace('/', '.')} order by school_level, gender"
        ).fetchall()


def fetch_times() -> list[tuple]:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.execute(f"select distinct fetched_at from {ASSET.replace('/', '.')}").fetchall()


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey.from_user_string(ASSET)
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_a_live_run_lands_n_per_school_level_and_gender(cube_env):
    result = run_job(assets=ASSETS)
    assert result.success, step_failures(result)
    assert rows() == LANDED  # lukio: THL gave no n, so no row (never filled in)
    seen = [r for r in cube_env["thl"].state.requests if r.path.endswith("fact_ktk1.json")]
    assert len(seen) == 2
    assert {"n", "ci"} <= set(seen[0].query)
    assert seen[0].query["row"] == ["koulutusaste-89.lukio", "sukupuoli-t.p"]
    assert seen[0].query["filter"] == ["area-111"]
    found = metadata(result)
    assert found["cubes_configured"] == 2 and found["cube_warnings"] == {}


@pytest.mark.parametrize(
    ("fault", "message"),
    [("html", "HTML error page"), ("429", "HTTP 429")],
)
def test_a_faulty_answer_keeps_the_previous_rows_with_a_warning(cube_env, fault, message):
    assert run_job(assets=ASSETS).success
    first_fetch = fetch_times()
    if fault == "html":
        (cube_env["root"] / FACT).write_text("<html><body>Huoltokatko</body></html>", "utf-8")
    else:
        cube_env["thl"].state.faults["fact_ktk1.json"] = 429
    result = run_job(assets=ASSETS)
    assert result.success, step_failures(result)
    assert rows() == LANDED
    assert fetch_times() == first_fetch  # kept rows keep the time they were fetched
    warnings = metadata(result)["cube_warnings"]
    assert set(warnings) == {f"{MEASURE} 8.-9. lk", f"{MEASURE} lukio"}
    assert all(message in text for text in warnings.values())


def test_nothing_configured_writes_an_empty_typed_table(project_copy):
    result = run_job(assets=ASSETS)
    assert result.success, step_failures(result)
    assert rows() == []
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        types = dict(
            con.execute(
                f"select column_name, column_type from (describe {ASSET.replace('/', '.')})"
            ).fetchall()
        )
    assert types["sample_size"] == "DOUBLE" and types["year"] == "BIGINT" and types["gender"] == "VARCHAR"
    found = metadata(result)
    assert found["cubes_configured"] == 0
    assert found["note"].startswith("no cube configured")
