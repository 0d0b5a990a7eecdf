"""Live mode end to end: the real HTTP clients ingest from local Sotkanet and StatFin stubs.

This is the path `make run` takes with HYTE_SOURCE_MODE=live and the base URLs pointed at the
stubs: every request crosses a real socket on 127.0.0.1 in the real wire format.
"""

import dagster as dg
import duckdb
import pytest

from hyte_assets.definitions import defs
from hyte_assets_tests.conftest import warehouse_path
from hyte_assets_tests.stub_servers import StubServer


@pytest.fixture
def live_env(project_copy, monkeypatch):
    data = project_copy
    with (
        StubServer("sotkanet", data / "snapshots" / "sotkanet") as sotkanet,
        StubServer("statfin", data / "snapshots" / "statfin") as statfin,
    ):
        monkeypatch.setenv("HYTE_SOURCE_MODE", "live")
        monkeypatch.setenv("HYTE_SOTKANET_URL", sotkanet.url)
        monkeypatch.setenv("HYTE_STATFIN_URL", statfin.url)
        yield {"sotkanet": sotkanet, "statfin": statfin, "db": warehouse_path(), "data": data}


def run_sources(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    definitions = defs()
    selection = dg.AssetSelection.groups("sources", "catalog") - dg.AssetSelection.keys(
        "raw/employment_monthly"
    )
    job = dg.define_asset_job("live_sources", selection=selection, executor_def=dg.in_process_executor)
    monthly = definitions.resolve_job_def("employment_monthly_job")
    monthly.execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2025-12-01",
            "dagster/asset_partition_range_end": "2026-06-01",
        },
    )
    merged = dg.Definitions.merge(definitions, dg.Definitions(jobs=[job]))
    return merged.resolve_job_def("live_sources").execute_in_process(instance=instance)


def materialization_metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey.from_user_string(key)
    ]
    return event.materialization.metadata


def test_live_mode_ingests_from_the_stub_servers(live_env):
    instance = dg.DagsterInstance.ephemeral()
    result = run_sources(instance)
    assert result.success

    with duckdb.connect(str(live_env["db"]), read_only=True) as con:
        sotkanet = con.sql("select * from raw.sotkanet_values").df()
        employment = con.sql("select * from raw.employment_monthly").df()
    # Live rows come from the stub (every register id the catalog pins) and are not demo.
    assert set(sotkanet["indicator_id"].dropna()) == {3219, 3959, 699, 3558, 234, 3138, 189}
    assert not sotkanet["is_demo"].any()
    heinola_2024 = sotkanet[
        (sotkanet["indicator_id"] == 3219) & (sotkanet["region_code"] == "111") & (sotkanet["year"] == 2024)
    ]
    # Live mode keeps the gender rows beside the total (issue 13); the total is the stub's 11.7.
    by_gender = dict(zip(heinola_2024["gender"], heinola_2024["value"], strict=True))
    assert by_gender["total"] == 11.7 and {"female", "male"} <= set(by_gender)
    assert set(employment["period"]) == {"2025-12", *(f"2026-0{m}" for m in range(1, 7))}

    seen = live_env["sotkanet"].state.requests
    data_calls = [r for r in seen if r.path.endswith("/json")]
    assert data_calls, "no Sotkanet data request reached the stub"
    # Years go as repeated parameters (a comma list is HTTP 400 at THL) and a User-Agent is sent.
    assert len(data_calls[0].query["years"]) > 1
    assert all("," not in y for y in data_calls[0].query["years"])
    assert all(r.headers.get("User-Agent", "").startswith("hyte_assets/") for r in seen)
    statfin_posts = [r for r in live_env["statfin"].state.requests if r.method == "POST"]
    assert statfin_posts, "no StatFin query reached the stub"


def test_second_live_refresh_sends_conditional_requests_and_rewrites_nothing(live_env):
    instance = dg.DagsterInstance.ephemeral()
    assert run_sources(instance).success
    before = len(live_env["sotkanet"].state.requests)
    second = run_sources(instance)
    assert second.success

    again = live_env["sotkanet"].state.requests[before:]
    # The recorded snapshot has no files for the hyte-kerroin-only ids (3906, 306): those are 404s.
    gets = [r for r in again if r.method == "GET" and r.status != 404]
    assert gets and all(r.headers.get("If-None-Match") for r in gets)
    assert {r.status for r in gets} == {304}
    assert materialization_metadata(second, "raw/sotkanet_values")["rewritten"].value is False
    assert materialization_metadata(second, "raw/sotkanet_regions")["rewritten"].value is False
