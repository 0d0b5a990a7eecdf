"""Any municipality by configuration: the real graph on the shipped snapshot for Lahti (398).

The SQL tests (sql/test_peers_index_gaps.py) cover the rules on hand-made data; this runs the
assets as `make run` would with HYTE_MUNICIPALITY_CODE=398 and checks that the peer group, the
peer comparison and the welfare index are Lahti's own.
"""

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets.lib.region_table import load_region_table

from .conftest import _definitions, definitions, run_job, warehouse_path

OWN_REPORTS = ("reports/peer_comparison", "reports/welfare_index", "reports/group_gaps")


def test_lahti_by_configuration(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("HYTE_MUNICIPALITY_CODE", "398")
    # Settings are read when the definitions are built (an EnvVar only where the variable is set),
    # so this test builds its own and leaves none behind for the next test.
    _definitions.cache_clear()
    request.addfinalizer(_definitions.cache_clear)
    graph = definitions().resolve_asset_graph()
    wanted = dg.AssetSelection.assets(*(dg.AssetKey.from_user_string(k) for k in OWN_REPORTS)).upstream()
    keys = [k.to_user_string() for k in wanted.resolve(graph) if not graph.get(k).is_partitioned]
    # the employment review's monthly partitions feed raw/employment_values
    assert run_job("employment_monthly_job", partition_range=("2025-01-01", "2026-06-01")).success
    result = run_job("refresh_all", assets=keys)
    assert result.success

    regions = load_region_table(project_copy)
    lahti = regions.municipality("398")
    expected = {m.code for m in regions.in_maakunta(lahti.maakunta_code)} | {
        m.code
        for m in regions.municipalities
        if 0.8 * lahti.population <= m.population <= 1.25 * lahti.population
    }
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        members = dict(con.execute("select peer_code, is_home from intermediate.int_peer_group").fetchall())
        homes = con.execute("select distinct municipality_code from reports.peer_comparison").fetchall()
        index_home = con.execute(
            "select distinct region_code from reports.welfare_index where is_home and level = 'theme'"
        ).fetchall()
        gap_regions = con.execute(
            "select distinct region_code from reports.group_gaps where gap_type = 'vs_country'"
        ).fetchall()
    assert set(members) == expected and {code for code, home in members.items() if home} == {"398"}
    assert {"297", "179"} <= set(members)  # Kuopio and Jyväskylä by size; Heinola by maakunta
    assert homes == [("398",)] and index_home == [("398",)] and gap_regions == [("398",)]
