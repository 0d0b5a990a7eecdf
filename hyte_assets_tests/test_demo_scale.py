"""The offline demo at real scale: real 2025 populations, demo levels inside the anchor bands,
school-survey shares at national levels, male/female/total rows, hyte euros of Heinola's size.

The file checks read the shipped snapshot (test_snapshot_pipeline proves it is what the
generator writes); the pipeline checks run the assets on a private copy of data/.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets.defs.resources import DATA_DIR
from hyte_assets.lib.demo_scale import Levels
from hyte_assets_tests.conftest import warehouse_path
from hyte_assets_tests.test_snapshot_pipeline import run

SNAPSHOTS = DATA_DIR / "snapshots"
HEINOLA_2025 = 17_694  # StatFin 11re, 31.12.2025 (data/regions/README.md)
PLAN_EUR_PER_RESIDENT = 21.5  # the plan: Heinola's hyte-kerroin payment 2026


def real_keys() -> set[tuple[str, str, str, str]]:
    with (SNAPSHOTS / "real_values.csv").open(encoding="utf-8", newline="") as f:
        return {(r["item"], r["region_code"], r["period"], r["group_value"]) for r in csv.DictReader(f)}


def sotkanet_rows(indicator_id: int) -> list[dict[str, object]]:
    """`/json` rows of one recorded indicator with the region's (category, code) added."""
    regions = json.loads((SNAPSHOTS / "sotkanet" / "regions.json").read_text(encoding="utf-8"))
    where = {r["id"]: (r["category"], r["code"]) for r in regions}
    rows = json.loads((SNAPSHOTS / "sotkanet" / "json" / f"{indicator_id}.json").read_text(encoding="utf-8"))
    return [{**r, "where": where[r["region"]]} for r in rows]


def survey_rows() -> list[dict[str, str]]:
    with (SNAPSHOTS / "kouluterveyskysely" / "demo_values.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_3219_demo_stays_in_the_anchor_bands() -> None:
    """Koulutuksen ulkopuolella 17–24: demo years of Heinola inside its 9–15 % band, the comparison
    regions near it and Päijät-Häme near its observed 13 % (not 35–43 % as before)."""
    levels = Levels.load(SNAPSHOTS / "demo_anchors.csv")
    heinola = levels.band(("sotkanet:3219",), "111", "total")
    assert heinola is not None and (heinola.low, heinola.high) == (9.0, 15.0)
    real = real_keys()
    totals = [r for r in sotkanet_rows(3219) if r["gender"] == "total"]
    demo_heinola = [
        r["value"]
        for r in totals
        if r["where"] == ("KUNTA", "111") and ("sotkanet:3219", "111", str(r["year"]), "total") not in real
    ]
    assert len(demo_heinola) >= 10
    assert all(heinola.low <= v <= heinola.high for v in demo_heinola), demo_heinola
    comparison = [("MAAKUNTA", "07"), ("HYVINVOINTIALUE", "09"), ("MAA", ""), ("KUNTA", "398")]
    for where in comparison:
        values = [r["value"] for r in totals if r["where"] == where and r["year"] >= 2009]
        assert values and all(8.0 <= v <= 17.0 for v in values), (where, values)
    paijat_hame = [
        r["value"] for r in totals if r["where"] == ("MAAKUNTA", "07") and 2009 <= r["year"] <= 2011
    ]
    assert all(abs(v - 13.3) <= 2.0 for v in paijat_hame), paijat_hame


def test_school_survey_shares_are_at_national_levels() -> None:
    rows = [r for r in survey_rows() if r["gender"] == "total"]
    bullying = [
        float(r["value"])
        for r in rows
        if r["measure_id"] == "ktk_koulukiusattu_viikoittain"
        and r["group_value"] == "8.-9. lk"
        and r["region_code"] == "SSS"
    ]
    assert bullying and all(5.0 <= v <= 8.0 for v in bullying), bullying
    # Sample sizes follow the population: Heinola has about 285 respondents in 8.–9. lk, the
    # country about 91,000 (THL 2023).
    sizes = {
        r["region_code"]: float(r["sample_size"])
        for r in rows
        if r["group_value"] == "8.-9. lk" and r["measure_id"] == "ktk_koulukiusattu_viikoittain"
    }
    assert 250 <= sizes["111"] <= 320 and 85_000 <= sizes["SSS"] <= 95_000


@pytest.mark.parametrize("source", ["kouluterveyskysely", "sotkanet"])
def test_male_and_female_bracket_the_total(source: str) -> None:
    groups: dict[tuple[object, ...], dict[str, float]] = defaultdict(dict)
    if source == "kouluterveyskysely":
        for r in survey_rows():
            key = (r["measure_id"], r["region_code"], r["period"], r["group_value"])
            groups[key][r["gender"]] = float(r["value"])
    else:
        for r in sotkanet_rows(3219):
            groups[(r["where"], r["year"])][str(r["gender"])] = float(r["value"])  # type: ignore[arg-type]
    split = [g for g in groups.values() if set(g) == {"male", "female", "total"}]
    assert len(split) > 100
    assert all(min(g["male"], g["female"]) <= g["total"] <= max(g["male"], g["female"]) for g in split)
    if source == "kouluterveyskysely":
        life = [
            g
            for (measure, *_), g in groups.items()
            if measure == "ktk_tyytyvainen_elamaan" and set(g) == {"male", "female", "total"}
        ]
        assert life and all(g["female"] < g["male"] for g in life)  # girls less satisfied (the plan)


def query(sql: str):
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.sql(sql).df()


def test_population_2025_is_real_and_earlier_years_at_scale(project_copy: Path) -> None:
    assert run(dg.AssetSelection.keys("raw/sotkanet_regions", "raw/population")).success
    pop = query("select municipality_code, year, population, is_demo from raw.population")
    heinola = pop[pop["municipality_code"] == "111"].set_index("year")
    assert heinola.loc[2025, "population"] == HEINOLA_2025 and not heinola.loc[2025, "is_demo"]
    assert heinola.drop(index=2025)["is_demo"].all()
    assert heinola["population"].between(17_000, 21_000).all()  # a city of 17,694, not 186,000
    latest = pop[pop["year"] == 2025]
    assert len(latest) == 308 and not latest["is_demo"].any()
    assert latest["population"].sum() == 5_652_881


def test_ingestion_keeps_genders_apart_from_the_totals(project_copy: Path) -> None:
    """No key twice, and the totals are exactly the demo file's total rows (male/female rows are
    never counted as totals)."""
    selection = dg.AssetSelection.keys(
        "raw/sotkanet_regions",
        "raw/sotkanet_indicators",
        "raw/kouluterveyskysely_values",
        "raw/sotkanet_values",
    )
    assert run(selection).success
    ktk = query(
        "select count(*) n, count(distinct (measure_id, region_code, period, group_value, gender)) k, "
        "count(*) filter (where gender = 'total') t from raw.kouluterveyskysely_values"
    )
    # The demo file holds the comparison set, which is also the pipeline's plan scope.
    totals = [r for r in survey_rows() if r["gender"] == "total"]
    assert ktk["n"][0] == ktk["k"][0] and ktk["t"][0] == len(totals)
    register = query(
        "select count(*) n, count(distinct (measure_id, region_code, period, gender)) k "
        "from raw.sotkanet_values"
    )
    assert register["n"][0] == register["k"][0] > 0
