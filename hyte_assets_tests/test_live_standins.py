"""Live mode against wire-format stand-ins of the sources as they answer *today* (issue 13, issue 18 #3).

The stand-ins (`standins.py`) carry today's title wording, male/female/total rows, an indicator
without the municipality level, and a 12r5 table that starts later than the partitions and ends
before the current month. Every request crosses a real socket on 127.0.0.1; nothing reaches the
network.
"""

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from hyte_assets.defs.sources.employment.assets import monthly
from hyte_assets.lib.jsonstat import decode_jsonstat2
from hyte_assets_tests.conftest import run_job, warehouse_path
from hyte_assets_tests.standins import (
    CHANGED_AGE_BAND,
    COUNTRY,
    HEINOLA,
    HYTE_ONLY_TITLES,
    NO_MUNICIPAL_LEVEL,
    PAIJAT_HAME,
    pinned_titles,
    write_sotkanet_standin,
    write_statfin_standin,
)
from hyte_assets_tests.stub_servers import StubServer

SOTKANET_ASSETS = [
    "raw/sotkanet_regions",
    "raw/sotkanet_indicators",
    "raw/sotkanet_values",
    "raw/kouluterveyskysely_values",
]
STATFIN_ASSETS = ["raw/statfin_values", "raw/population", "raw/employment_values"]
# Heinola, Päijät-Häme, its wellbeing county and the country, as the regions table names them.
COMPARISON = {("kunta", "111"), ("maakunta", "07"), ("hyvinvointialue", "09"), ("koko_maa", "SSS")}


def current_month() -> str:
    today = dt.date.today()
    return f"{today.year}M{today.month:02d}"


def write_tjt_standin(root: Path, data: Path) -> None:
    """tjt/14ww for the strict StatFin stand-in: its metadata and cells from the shipped recording."""
    meta = json.loads((data / "snapshots/statfin/tjt__14ww.meta.json").read_text("utf-8"))
    payload = json.loads((data / "snapshots/statfin/tjt__14ww.data.json").read_text("utf-8"))
    cells = decode_jsonstat2(payload, source="statfin", item="tjt/14ww")
    ids = payload["id"]
    (root / "tjt__14ww.meta.json").write_text(json.dumps(meta), "utf-8")
    (root / "tjt__14ww.cells.json").write_text(
        json.dumps(
            {
                "|".join(str(r[c]) for c in ids): r["value"]
                for _, r in cells.iterrows()
                if pd.notna(r["value"])
            }
        ),
        "utf-8",
    )


def add_tea_and_listing(root: Path, data: Path) -> None:
    """The TEAviisari sector ids (titles from data/catalog/teaviisari_sectors.csv, no gender, as in
    the 2015 list) and two listing entries that carry one unpinned measure's exact title."""
    sectors = pd.read_csv(data / "catalog/teaviisari_sectors.csv", dtype=str, keep_default_na=False)
    listing = json.loads((root / "indicators.json").read_text("utf-8"))
    for sector in sectors[sectors["sotkanet_id"] != ""].itertuples():
        indicator_id = int(sector.sotkanet_id)
        doc = {
            "id": indicator_id,
            "title": {"fi": sector.sotkanet_title},
            "range": {"start": 2019, "end": 2024},
            "classifications": {"region": {"values": ["Kunta", "Maakunta", "Maa"]}},
        }
        (root / "indicators" / f"{indicator_id}.json").write_text(json.dumps(doc), "utf-8")
        rows = [
            {"indicator": indicator_id, "region": region, "year": year, "gender": "total", "value": score}
            for year in (2021, 2023)
            for region, score in ((HEINOLA, 61.0), (PAIJAT_HAME, 70.0), (COUNTRY, 72.0))
        ]
        (root / "json" / f"{indicator_id}.json").write_text(json.dumps(rows), "utf-8")
    title = "Perustoimeentulotukea pitkäaikaisesti saaneet % 25 - 64-vuotiaat, %"
    listing += [{"id": 90001, "title": {"fi": title}}, {"id": 90002, "title": {"fi": title + " "}}]
    (root / "indicators.json").write_text(json.dumps(listing, ensure_ascii=False), "utf-8")


@pytest.fixture
def standins(project_copy, tmp_path, monkeypatch):
    data = project_copy
    sotkanet_root, statfin_root = tmp_path / "standin_sotkanet", tmp_path / "standin_statfin"
    served = write_sotkanet_standin(sotkanet_root, data_dir=data)
    add_tea_and_listing(sotkanet_root, data)
    listed = write_statfin_standin(statfin_root, current_month=current_month(), data_dir=data)
    write_tjt_standin(statfin_root, data)
    with (
        StubServer("sotkanet", sotkanet_root) as sotkanet,
        StubServer("statfin", statfin_root, strict=True) as statfin,
    ):
        monkeypatch.setenv("HYTE_SOURCE_MODE", "live")
        monkeypatch.setenv("HYTE_SOTKANET_URL", sotkanet.url)
        monkeypatch.setenv("HYTE_STATFIN_URL", statfin.url)
        yield {
            "sotkanet": sotkanet,
            "statfin": statfin,
            "sotkanet_root": sotkanet_root,
            "served": served,
            "months": listed["months"],
            "data": data,
        }


def table(name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.sql(f"select * from {name}").df()


def materialization(result: dg.ExecuteInProcessResult, key: str) -> dict:
    events = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey.from_user_string(key)
    ]
    assert events, f"{key} was not materialised"
    return events[-1]


def check_result(result: dg.ExecuteInProcessResult, key: str, name: str) -> dg.AssetCheckEvaluation:
    [evaluation] = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.asset_key == dg.AssetKey.from_user_string(key)
        and e.event_specific_data.check_name == name
    ]
    return evaluation


def run_sotkanet(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return run_job(assets=["catalog/measures", *SOTKANET_ASSETS], instance=instance)


def test_live_run_lands_every_pinned_indicator_with_genders_for_the_comparison_regions(standins):
    result = run_sotkanet(dg.DagsterInstance.ephemeral())
    assert result.success

    register, school = table("raw.sotkanet_values"), table("raw.kouluterveyskysely_values")
    rows = pd.concat([register, school], ignore_index=True)
    assert set(rows["indicator_id"].dropna().astype(int)) == set(pinned_titles(standins["data"]))
    assert not rows["is_demo"].any()
    for indicator_id, group in rows.groupby("indicator_id"):
        regions = set(zip(group["region_level"], group["region_code"], strict=True))
        wanted = COMPARISON - ({("kunta", "111")} if indicator_id in NO_MUNICIPAL_LEVEL else set())
        assert wanted <= regions, (indicator_id, wanted - regions)
        for region in wanted:
            at = group[(group["region_level"] == region[0]) & (group["region_code"] == region[1])]
            assert set(at["gender"]) == {"male", "female", "total"}, (indicator_id, region)
    # Register ids: men and women are their own group; school-survey ids keep the school level too.
    men = register[(register["indicator_id"] == 3219) & (register["gender"] == "male")]
    assert set(men["group_type"]) == {"gender"} and set(men["group_value"]) == {"male"}
    assert set(school["group_type"]) == {"school_level"}
    assert set(school["gender"]) == {"male", "female", "total"}
    # The hyte-kerroin-only ids land under their hyte indicator id.
    assert set(register.loc[register["indicator_id"].isin(HYTE_ONLY_TITLES), "measure_id"]) == {
        "o1b_ktk_ylipaino_8_9",
        "o4_tyokyvyttomyyselake_25_64",
    }

    indicators = table("raw.sotkanet_indicators").set_index("indicator_id")
    assert set(indicators["status"]) == {"ok"}
    assert "no municipality level" in indicators.at[3558, "warnings"]
    assert indicators.at[3558, "reporting_level"] == "maakunta"
    assert indicators.at[3219, "genders"] == "male|female|total"
    assert check_result(result, "raw/sotkanet_indicators", "titles_match").passed
    assert materialization(result, "raw/sotkanet_indicators")["rejected_titles"].value == []
    counts = materialization(result, "catalog/measures")["pinned_ids"].value
    assert counts["sotkanet"]["pinned"] >= 7 and counts["kouluterveyskysely"]["pinned"] >= 4
    assert set(counts) >= {"sotkanet", "kouluterveyskysely", "statfin", "employment"}


def test_a_changed_age_band_rejects_that_indicator_only_and_keeps_its_previous_rows(standins):
    instance = dg.DagsterInstance.ephemeral()
    assert run_sotkanet(instance).success
    before = table("raw.sotkanet_values")

    write_sotkanet_standin(
        standins["sotkanet_root"], title_overrides=CHANGED_AGE_BAND, data_dir=standins["data"]
    )
    result = run_sotkanet(instance)
    assert result.success
    indicators = table("raw.sotkanet_indicators").set_index("indicator_id")
    assert indicators.at[3219, "status"] == "title_mismatch"
    assert set(indicators.drop(index=3219)["status"]) == {"ok"}

    check = check_result(result, "raw/sotkanet_indicators", "titles_match")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    [rejected] = check.metadata["rejected_titles"].value
    assert rejected["indicator_id"] == 3219 and "18 - 24" in rejected["sotkanet_title"]
    assert materialization(result, "raw/sotkanet_indicators")["rejected_titles"].value == [rejected]

    after = table("raw.sotkanet_values")
    key = ["indicator_id", "region_code", "year", "gender"]
    old = before[before["indicator_id"] == 3219].sort_values(key).reset_index(drop=True)
    kept = after[after["indicator_id"] == 3219].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(old[[*key, "value"]], kept[[*key, "value"]])
    assert set(after["indicator_id"].dropna()) == set(before["indicator_id"].dropna())
    reasons = materialization(result, "raw/sotkanet_values")["indicators_not_loaded"].value
    assert set(reasons) == {"3219"} and "title mismatch" in reasons["3219"]


def test_a_503_on_one_indicator_keeps_its_previous_rows(standins):
    instance = dg.DagsterInstance.ephemeral()
    assert run_sotkanet(instance).success
    before = table("raw.sotkanet_values")
    standins["sotkanet"].state.faults["/indicators/234"] = 503

    result = run_sotkanet(instance)
    assert result.success
    after = table("raw.sotkanet_values")
    assert (after["indicator_id"] == 234).sum() == (before["indicator_id"] == 234).sum() > 0
    assert table("raw.sotkanet_indicators").set_index("indicator_id").at[234, "status"] == "error"
    reasons = materialization(result, "raw/sotkanet_values")["indicators_not_loaded"].value
    assert set(reasons) == {"234"} and "503" in reasons["234"]
    # The blocking check still passes: the table was not emptied.
    assert check_result(result, "raw/sotkanet_values", "ge_valid").passed


def test_backfill_lands_the_listed_months_and_reports_the_others_as_not_published(standins):
    keys = monthly.get_partition_keys()
    first, last = "2024-01-01", keys[-1]
    result = run_job("employment_monthly_job", partition_range=(first, last))
    assert result.success

    rows = table("raw.employment_monthly")
    wanted = [k[:7] for k in keys if first <= k <= last]
    listed = {m.replace("M", "-") for m in standins["months"]}
    assert set(rows["period"]) == set(wanted) & listed
    meta = materialization(result, "raw/employment_monthly")
    assert meta["months_not_yet_published"].value == sorted(set(wanted) - listed - {"2024-01", "2024-02"})
    assert meta["months_not_in_table"].value == ["2024-01", "2024-02"]
    assert any("not yet published" in n for n in meta["coverage_notes"].value)
    # No query named a month the table does not list (each would be HTTP 400).
    assert {r.status for r in standins["statfin"].state.requests if r.method == "POST"} == {200}
    men = rows[(rows["group_type"] == "gender") & (rows["region_code"] == "111")]
    assert set(men["group_value"]) == {"male", "female"} and set(men["content_code"]) == {"TYOTTOMATLOPUSSA"}


def test_statfin_and_the_employment_review_land_with_sotkanet_down(standins, monkeypatch):
    monkeypatch.setenv("HYTE_SOTKANET_URL", "http://127.0.0.1:9/rest/1.1")  # nothing listens on port 9
    keys = monthly.get_partition_keys()
    assert run_job("employment_monthly_job", partition_range=("2025-06-01", keys[-1])).success
    result = run_job(assets=["catalog/measures", *STATFIN_ASSETS])
    assert result.success, [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]

    population = table("raw.population").set_index(["municipality_code", "year"])
    assert population.at[("111", 2025), "population"] == 17_694
    employment = table("raw.employment_values")
    assert {"111", "SSS"} <= set(employment["region_code"])
    assert set(table("raw.statfin_values")["region_code"]) >= {"111", "SSS"}
    assert not standins["sotkanet"].state.requests
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        tables = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
    assert "sotkanet_regions" not in tables


def test_tea_sector_scores_and_unpinned_candidates_come_from_sotkanet(standins):
    result = run_job(
        assets=[
            "catalog/measures",
            "raw/sotkanet_regions",
            "raw/teaviisari_sotkanet",
            "raw/sotkanet_indicator_resolution",
        ]
    )
    assert result.success
    tea = table("raw.teaviisari_sotkanet")
    assert set(tea["sector_id"]) == {"kuntajohto", "perusopetus", "liikunta", "perusterveydenhuolto"}
    latest = tea[(tea["year"] == 2023) & (tea["sector_id"] == "kuntajohto")]
    assert dict(zip(latest["region_level"], latest["score"], strict=True)) == {
        "kunta": 61.0,
        "maakunta": 70.0,
        "koko_maa": 72.0,
    }
    assert not tea["is_demo"].any()

    resolution = table("raw.sotkanet_indicator_resolution").set_index("measure_id")
    assert resolution.at["koulutuksen_ulkopuolella_17_24", "status"] == "pinned"
    assert resolution.at["ktk_koulukiusattu_viikoittain", "status"] == "pinned"  # per school level
    row = resolution.loc["perustoimeentulotuki_pitkaaikainen_25_64"]
    assert row["status"] == "ambiguous" and row["candidate_ids"] == "90001,90002"
    assert "Perustoimeentulotukea pitkäaikaisesti" in row["candidate_titles"]
    unmatched = resolution[resolution["status"] == "unmatched"]
    assert len(unmatched) and unmatched["note"].eq("no source id").all()
