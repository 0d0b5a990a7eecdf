"""The offline default: seeded snapshot generation, honest is_demo flags, city deliveries, hyte view."""

import filecmp
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets.definitions import defs
from hyte_assets.defs.resources import DATA_DIR
from hyte_assets.defs.sources.local_deliveries.assets import local_files_sensor
from hyte_assets.lib import demo_data
from hyte_assets.lib import hyte as hk
from hyte_assets.lib.hyte import inputs as hyte_inputs
from hyte_assets.lib.hyte.what_if import calibration
from hyte_assets.lib.record_snapshots import record
from hyte_assets_tests.conftest import warehouse_path
from hyte_assets_tests.stub_servers import StubServer


@pytest.fixture
def env(project_copy: Path) -> dict[str, Path]:
    return {"data": project_copy, "db": warehouse_path()}


def run(selection: dg.AssetSelection) -> dg.ExecuteInProcessResult:
    definitions = dg.Definitions.merge(
        defs(),
        dg.Definitions(
            jobs=[dg.define_asset_job("t", selection=selection, executor_def=dg.in_process_executor)]
        ),
    )
    return definitions.resolve_job_def("t").execute_in_process(instance=dg.DagsterInstance.ephemeral())


def query(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


def test_demo_generator_is_seeded_and_reproducible(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    demo_data.generate(first, local_dir=first / "local")
    demo_data.generate(second, local_dir=second / "local")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) > 10
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == []
    # The shipped snapshot is exactly what the generator writes.
    shipped = DATA_DIR / "snapshots"
    _, mismatch, errors = filecmp.cmpfiles(
        first, shipped, [str(f) for f in files if f.parts[0] != "local"], shallow=False
    )
    assert mismatch == [] and errors == []


def test_only_cited_values_are_real_after_ingest(env):
    assert run(
        dg.AssetSelection.groups("catalog", "sources")
        - dg.AssetSelection.keys("raw/employment_monthly", "raw/employment_values")
    ).success
    real = query(
        env["db"], "select measure_id, region_code, period, value from raw.sotkanet_values where not is_demo"
    )
    # Koulutuksen ulkopuolella 17–24 in Heinola: 2000–2011 from the 2013 API pull (ingest starts
    # in 2000) and 2024 (the plan).
    assert sorted(zip(real["period"], real["value"], strict=True)) == [
        ("2000", 13.3),
        ("2001", 14.1),
        ("2002", 15.0),
        ("2003", 15.8),
        ("2004", 14.9),
        ("2005", 14.0),
        ("2006", 13.5),
        ("2007", 14.5),
        ("2008", 14.1),
        ("2009", 12.7),
        ("2010", 14.1),
        ("2011", 13.2),
        ("2024", 11.7),
    ]
    statfin = query(env["db"], "select measure_id, period, value from raw.statfin_values where not is_demo")
    assert statfin.values.tolist() == [["lasten_pienituloisuusaste", "2024", 19.9]]
    local = query(env["db"], "select count(*) n, bool_and(is_demo) all_demo from raw.local_counts")
    assert local["n"][0] > 0 and local["all_demo"][0]


# The catalog and the deliveries: each a multi-asset, one step writing several tables.
LOCAL_DELIVERIES = dg.AssetSelection.keys(
    "catalog/measures", "raw/local_counts"
).required_multi_asset_neighbors()


def test_bad_delivery_is_rejected_and_the_previous_rows_stay(env):
    assert run(LOCAL_DELIVERIES).success
    before = query(env["db"], "select * from raw.local_counts order by all")
    delivery = env["data"] / "local" / "demo" / "laskennat_2021-2025.csv"
    text = delivery.read_text(encoding="utf-8-sig").splitlines()
    fields = text[3].split(";")
    fields[3] = "12,5x"
    text[3] = ";".join(fields)
    delivery.write_text("\n".join(text) + "\n", encoding="utf-8-sig")

    result = run(LOCAL_DELIVERIES)
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "local_deliveries_accepted"]
    assert not check.passed
    rejected = query(env["db"], "select * from raw.local_rejections")
    assert rejected[["file", "row", "column"]].values.tolist() == [
        ["demo/laskennat_2021-2025.csv", "4", "arvo"]
    ]
    assert "12,5x" in rejected["problem"][0]
    after = query(env["db"], "select * from raw.local_counts order by all")
    assert after.drop(columns="fetched_at").equals(before.drop(columns="fetched_at"))


def test_without_deliveries_the_models_still_run_and_an_unchanged_folder_skips(env):
    for delivery in (env["data"] / "local" / "demo").glob("*.csv"):
        delivery.unlink()
    (env["data"] / "local" / "toimenpiteet_tila.csv").unlink()
    staging = dg.AssetSelection.keys("staging/stg_local", "staging/stg_surveys")
    first = run(LOCAL_DELIVERIES | staging)
    assert first.success
    # Never delivered: empty long-form tables (typed), so stg_local and stg_surveys still build.
    materialised = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert {"staging/stg_local", "staging/stg_surveys"} <= materialised
    assert query(env["db"], "select count(*) n from raw.local_counts")["n"][0] == 0
    types = query(
        env["db"],
        "select data_type from information_schema.columns "
        "where table_name = 'local_counts' and column_name = 'value'",
    )
    assert types["data_type"].tolist() == ["DOUBLE"]
    # The report-only tables stay absent, and an unchanged folder skips the whole step.
    second = run(LOCAL_DELIVERIES)
    skipped = {
        e.asset_key.to_user_string()
        for e in second.get_asset_materialization_events()
        if e.materialization.metadata.get("skipped_unchanged_inputs")
    }
    assert {"raw/local_counts", "raw/survey_values", "raw/action_status", "raw/resources"} <= skipped


def test_sensor_requests_a_run_only_when_a_delivery_changes(env):
    first = local_files_sensor(dg.build_sensor_context(cursor=None))
    assert not first.run_requests and first.cursor  # the first tick only records the deliveries
    unchanged = local_files_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(unchanged, dg.SkipReason)
    (env["data"] / "local" / "uusi_laskenta.csv").write_text("mittari_id;ajanjakso;arvo\n", encoding="utf-8")
    changed = local_files_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert len(changed.run_requests) == 1 and changed.cursor != first.cursor


def test_hyte_view_shows_the_published_figure_beside_the_reproduction(env):
    # The view reads marts.measure_series, so everything upstream of the hyte group runs (the partitioned
    # monthly employment asset first, as one ranged run, the way `make run` does it).
    months = {
        "dagster/asset_partition_range_start": "2023-01-01",
        "dagster/asset_partition_range_end": "2026-06-01",
    }
    monthly = defs().resolve_job_def("employment_monthly_job")
    assert monthly.execute_in_process(tags=months, instance=dg.DagsterInstance.ephemeral()).success
    monthly_key = dg.AssetKey(["raw", "employment_monthly"])
    upstream = dg.AssetSelection.groups("hyte").upstream() - dg.AssetSelection.assets(monthly_key)
    assert run(upstream.required_multi_asset_neighbors()).success
    published = query(env["db"], "select * from reports.hyte_published")
    assert set(published["assumption_set"]) >= {"default", "relative_change", "clipped_abs", "fixed_lag"}
    assert (published["published_eur_per_resident"] == 21.5).all()
    assert published["is_demo"].all()  # inputs are demo data, and the table says which
    assert set(published["demo_inputs"]) == {"process_answers, outcome_values, population"}
    assert published["summary_fi"].str.startswith("Heinolan hyte-kerroin maksuvuodelle 2026").all()
    assert published["summary_en"].str.contains("21.5 €/resident implies a coefficient").all()
    assert published.columns[3] == "coefficient"  # the coefficient leads, euros second
    components = query(env["db"], "select * from reports.hyte_kerroin_components")
    o2 = components[components["indicator_id"] == "o2_koulutuksen_ulkopuolella_17_24"].set_index(
        "municipality_code"
    )
    assert o2.loc["111", "value_source"] == "marts.measure_series"
    # The catalog's series and the raw outcome file never disagree where both hold a value, and the one
    # real outcome value (3219 Heinola 2024 = 11.7 %, from the plan) reaches the view's inputs as real.
    series = query(env["db"], "select * from marts.measure_series")
    raw = query(env["db"], "select * from raw.hyte_outcome_values")
    indicators = hk.load_indicators(env["data"] / "hyte" / "indicators.csv")
    assert hyte_inputs.disagreements(series, raw, indicators).empty
    values = hyte_inputs.outcome_values(series, raw, indicators).set_index(
        ["municipality_code", "indicator_id", "year"]
    )
    real = values.loc[("111", "o2_koulutuksen_ulkopuolella_17_24", 2024)]
    assert (real["value"], bool(real["is_demo"]), real["value_source"]) == (
        11.7,
        False,
        "marts.measure_series",
    )
    kerroin = query(env["db"], "select * from reports.hyte_kerroin")
    weighted = (kerroin["coefficient"] * kerroin["eur_total"] / kerroin["eur_per_resident"]).sum() / (
        kerroin["eur_total"] / kerroin["eur_per_resident"]
    ).sum()
    assert weighted == pytest.approx(1.0)  # normalisation: population-weighted mean coefficient is 1
    assert kerroin.loc[kerroin["municipality_code"] == "111", "rank_maakunta"].between(1, 10).all()
    # At real scale: Heinola's euros are of the plan's order (21.5 €/resident × 17,694 ≈ 380 k€).
    heinola = kerroin.set_index("municipality_code").loc["111"]
    assert 21.5 * 17_694 / 2 <= heinola["eur_total"] <= 21.5 * 17_694 * 2
    assert 10 <= heinola["eur_per_resident"] <= 45
    # The demo's national spread matches Kuntaliitto's published one within the stated tolerance.
    assert calibration(kerroin)["within_tolerance"].all()
    what_if = query(env["db"], "select * from reports.hyte_what_if")
    assert what_if["gain_eur_total"].is_monotonic_decreasing and (what_if["gain_eur_total"] > 0).all()


def test_record_snapshots_round_trips_through_the_stub(env, tmp_path):
    recorded = tmp_path / "recorded"
    shutil.copytree(env["data"] / "catalog", recorded / "catalog")
    snapshots = env["data"] / "snapshots"
    with (
        StubServer("sotkanet", snapshots / "sotkanet") as sotkanet,
        StubServer("statfin", snapshots / "statfin") as sf,
    ):
        counts = record(recorded, sotkanet.url, sf.url, range(2009, 2026))
    assert counts == {"sotkanet_indicators": 7, "statfin_tables": 3}  # the register ids pinned
    for name in ("regions.json", "indicators.json", "json/3219.json"):
        assert (recorded / "snapshots" / "sotkanet" / name).read_text(encoding="utf-8").strip()
    assert (recorded / "snapshots" / "statfin" / "tyonv__12r5.data.json").exists()
