"""Peer groups, the welfare index and group gaps on hand-made data (issue 15).

Peer groups are formed from the real region table (data/regions/regions-fi.csv) and either the
shipped rules (data/scorecard/peers.csv) or hand-made ones; values are hand-made, and every expected
figure is worked out here (intervals by an independent implementation of Newcombe's method 10,
checked against the published example of Newcombe 1998).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.peers import load_peer_rules
from hyte_assets.lib.region_table import load_region_table
from hyte_assets.lib.sql_models import SqlModel
from hyte_assets.lib.sql_run import materialize
from hyte_assets.lib.warehouse import replace_tables

from .conftest import (
    DATA_DIR,
    GOALS,
    THEMES,
    create_raw_tables,
    insert_values,
    measure,
    v,
    write_catalog,
    write_settings,
)

Z = 1.959963984540054
PEER_COLUMNS = "municipality_code,rule,peer_code,population_min,population_max,note\n"
MEASURES = [
    measure("hb", goal_ids="g1", theme_id="t1"),
    measure("lb", goal_ids="g1|g3", theme_id="t1", polarity="lower_better"),
    measure("ctx", goal_ids="g2", theme_id="t1", polarity="context"),
    measure("visits", goal_ids="g2", theme_id="t1", unit="count"),
    measure("rate", goal_ids="g3", theme_id="t2", unit="per_10000", polarity="lower_better"),
    measure(
        "ktk",
        title_fi="Koulukiusattuna vähintään kerran viikossa, %",
        title_en="Bullied at school at least once a week %",
        goal_ids="g3",
        theme_id="t2",
        source="kouluterveyskysely",
        polarity="lower_better",
    ),
    measure("county_only", goal_ids="g3", theme_id="t2", source="regional_survey"),
]
# the downstream models of marts.indicator_values that this issue adds
OWN_MODELS = (
    "intermediate.int_home_areas",
    "intermediate.int_group_values",
    "intermediate.int_peer_group",
    "intermediate.int_group_gap_pairs",
    "intermediate.int_two_sample_intervals",
    "intermediate.int_welfare_index_measures",
    "reports.peer_comparison",
    "reports.welfare_index",
    "reports.group_gaps",
)


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def newcombe(p1: float, n1: float, p0: float, n0: float) -> tuple[float, float]:
    """Newcombe (1998) method 10 for p1 - p0, from the two Wilson intervals."""
    l1, u1 = wilson(p1, n1)
    l0, u0 = wilson(p0, n0)
    d = p1 - p0
    return d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


def test_newcombe_oracle_matches_the_published_example():
    # Newcombe, Statistics in Medicine 17 (1998) 873-890, Table II example (a): 56/70 - 48/80
    low, high = newcombe(56 / 70, 70, 48 / 80, 80)
    assert low == pytest.approx(0.0524, abs=5e-4)
    assert high == pytest.approx(0.3339, abs=5e-4)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable[object] = ()) -> list[dict]:
    frame = con.execute(sql, list(params)).df()
    return [
        {k: (None if not isinstance(x, str) and pd.isna(x) else x) for k, x in rec.items()}
        for rec in frame.to_dict("records")
    ]


def peer_file(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "peers.csv"
    path.write_text(PEER_COLUMNS + lines, encoding="utf-8")
    return path


@pytest.fixture
def make_db(
    tmp_path: Path, build: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> Iterator[Callable[..., duckdb.DuckDBPyConnection]]:
    """A warehouse for `municipality` with the hand-made catalog, optional peer rules and values."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def make(municipality: str = "111", peers: str | None = None, values=()) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        opened.append(con)
        create_raw_tables(con)
        write_settings(con, municipality)
        write_catalog(
            con, tmp_path / f"catalog{len(opened)}", {"themes": THEMES, "goals": GOALS, "measures": MEASURES}
        )
        if peers is not None:
            rules = load_peer_rules(peer_file(tmp_path, peers), load_region_table(DATA_DIR))
            replace_tables(con, {"catalog.peer_rules": rules})
        if values:
            insert_values(con, "raw.sotkanet_values", values)
        build(con)
        return con

    yield make
    for con in opened:
        con.close()


def peer_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select peer_code from intermediate.int_peer_group").fetchall()}


# --- peer groups ---------------------------------------------------------------------------------


def test_lahti_by_configuration_gets_its_own_peer_group_and_index(make_db):
    """HYTE_MUNICIPALITY_CODE=398 with the shipped peers.csv: Päijät-Häme plus 0.8-1.25 x Lahti's size."""
    values = [
        v("hb", 2026, 50.0, region_code="SSS", region_level="koko_maa"),
        v("hb", 2026, 60.0, region_code="398"),
    ]
    con = make_db("398", values=values)
    regions = load_region_table(DATA_DIR)
    lahti = regions.municipality("398")
    expected = {m.code for m in regions.in_maakunta("07")} | {
        m.code
        for m in regions.municipalities
        if 0.8 * lahti.population <= m.population <= 1.25 * lahti.population
    }
    assert peer_codes(con) == expected
    assert {"297", "179"} <= expected  # Kuopio and Jyväskylä, by size
    assert [
        r[0]
        for r in con.execute("select peer_code from intermediate.int_peer_group where is_home").fetchall()
    ] == ["398"]
    index = rows(con, "select * from reports.welfare_index where is_home and level = 'measure'")
    assert [(r["municipality_code"], r["region_code"], r["index_value"]) for r in index] == [
        ("398", "398", 120.0)
    ]


def test_heinola_default_group_is_its_maakunta_and_15000_to_25000_residents(make_db):
    con = make_db("111")
    regions = load_region_table(DATA_DIR)
    expected = {m.code for m in regions.in_maakunta("07")} | {
        m.code for m in regions.municipalities if 15_000 <= m.population <= 25_000
    }
    assert peer_codes(con) == expected
    reasons = dict(con.execute("select peer_code, peer_reason from intermediate.int_peer_group").fetchall())
    assert reasons["111"] == "home, maakunta, size_band"
    assert reasons["398"] == "maakunta"  # Lahti is far bigger, but in the maakunta


def test_explicit_list_and_exclusion_replace_the_defaults(make_db):
    con = make_db("111", peers="*,maakunta,,,,\n111,include,098,,,\n111,include,91,,,\n111,exclude,091,,,\n")
    # only Heinola's own rows apply; 91 is read as 091 Helsinki and then excluded
    assert peer_codes(con) == {"111", "098"}


def test_a_bad_peer_row_names_file_row_and_problem(tmp_path):
    regions = load_region_table(DATA_DIR)
    cases = {
        "111,size_band,,25000,15000,\n": "population_min 25000.0 is above population_max",
        "111,nearby,,,,\n": "rule 'nearby' is not one of",
        "111,include,,,,\n": "rule include needs a peer_code",
        "111,include,999,,,\n": "no municipality with code '999'",
        "111,size_ratio,,0.8,,\n": "population_max '' is not a number",
    }
    for line, problem in cases.items():
        with pytest.raises(SourceError) as caught:
            load_peer_rules(peer_file(tmp_path, line), regions)
        assert problem in str(caught.value)
        assert "peers.csv" in str(caught.value) and "row=2" in str(caught.value)


# --- peer rank and median --------------------------------------------------------------------------

PEERS_FOUR = "111,include,098,,,\n111,include,398,,,\n111,include,016,,,\n"


def test_peer_rank_and_median(make_db):
    values = [
        # higher is better: Heinola 55 is second after Lahti 60; peers' median of 40, 60, 50 is 50
        *(
            v("hb", 2026, x, region_code=c)
            for c, x in [("111", 55.0), ("098", 40.0), ("398", 60.0), ("016", 50.0)]
        ),
        # lower is better: Heinola 12 is the lowest, so first; median of 14, 20, 16 is 16
        *(
            v("lb", 2026, x, region_code=c)
            for c, x in [("111", 12.0), ("098", 14.0), ("398", 20.0), ("016", 16.0)]
        ),
        # Asikkala has no value: median of the two that have one, and no rank
        *(v("lb", 2025, x, region_code=c) for c, x in [("111", 12.0), ("098", 14.0), ("398", 20.0)]),
        # a context measure is never ranked
        *(
            v("ctx", 2026, x, region_code=c)
            for c, x in [("111", 5.0), ("098", 4.0), ("398", 3.0), ("016", 2.0)]
        ),
    ]
    con = make_db("111", peers=PEERS_FOUR, values=values)
    found = {
        (r["measure_id"], r["period"]): r
        for r in rows(con, "select * from reports.peer_comparison where municipality_code = '111'")
    }
    hb, lb, lb_2025, ctx = found["hb", "2026"], found["lb", "2026"], found["lb", "2025"], found["ctx", "2026"]
    assert (
        hb["rank_among_peers"],
        hb["peer_median"],
        hb["peers_with_value"],
        hb["municipalities_in_group"],
    ) == (
        2,
        50.0,
        3,
        4,
    )
    assert hb["gap_to_peer_median"] == pytest.approx(5.0)
    assert (lb["rank_among_peers"], lb["peer_median"]) == (1, 16.0)
    assert (lb_2025["rank_among_peers"], lb_2025["peer_median"], lb_2025["peers_with_value"]) == (
        None,
        17.0,
        2,
    )
    assert ctx["rank_among_peers"] is None and ctx["peer_median"] == 3.0


def test_county_and_country_beside_the_maakunta_and_county_only_figures_labelled(make_db):
    values = [
        v("hb", 2026, 55.0),
        v("hb", 2026, 53.0, region_code="07", region_level="maakunta"),
        v("hb", 2026, 52.0, region_code="09", region_level="hyvinvointialue"),
        v("hb", 2026, 50.0, region_code="SSS", region_level="koko_maa"),
        # the adult survey: only the county and the country have it
        v("county_only", 2024, 31.0, region_code="09", region_level="hyvinvointialue"),
        v("county_only", 2024, 29.0, region_code="SSS", region_level="koko_maa"),
    ]
    con = make_db("111", peers=PEERS_FOUR, values=values)
    hb = rows(con, "select * from reports.peer_comparison where measure_id = 'hb'")[0]
    assert (hb["maakunta_value"], hb["hyvinvointialue_value"], hb["koko_maa_value"]) == (53.0, 52.0, 50.0)
    assert hb["figure_level"] == "kunta" and hb["hyvinvointialue_gap"] == pytest.approx(3.0)
    county = rows(con, "select * from reports.peer_comparison where measure_id = 'county_only'")
    assert len(county) == 1
    assert (county[0]["figure_level"], county[0]["value"], county[0]["koko_maa_value"]) == (
        "hyvinvointialue",
        31.0,
        29.0,
    )
    assert county[0]["figure_label_fi"] == "Hyvinvointialueen luku: Päijät-Hämeen hyvinvointialue"
    assert county[0]["rank_among_peers"] is None and county[0]["peers_in_group"] is None


# --- the welfare index ------------------------------------------------------------------------------


def test_index_is_100_at_the_national_value_and_direction_aware(make_db):
    national = {"region_code": "SSS", "region_level": "koko_maa"}
    values = [
        v("hb", 2026, 50.0, **national),
        v("lb", 2026, 10.0, **national),
        v("rate", 2026, 40.0, **national),
        v("ctx", 2026, 10.0, **national),
        v("visits", 2026, 1000.0, **national),
        # Heinola: 10 % above the national share (good) -> 110; a harm at 12.5 vs 10 -> 80;
        # the rate exactly at the national value -> 100
        v("hb", 2026, 55.0),
        v("lb", 2026, 12.5),
        v("rate", 2026, 40.0),
        v("ctx", 2026, 12.0),
        v("visits", 2026, 30.0),
        # Hollola has hb and lb but not rate: incomplete; Lahti has all three
        v("hb", 2026, 45.0, region_code="098"),
        v("lb", 2026, 5.0, region_code="098"),
        v("hb", 2026, 50.0, region_code="398"),
        v("lb", 2026, 10.0, region_code="398"),
        v("rate", 2026, 20.0, region_code="398"),
        # an older national value Heinola lacks is not used
        v("hb", 2027, 70.0, **national),
    ]
    con = make_db("111", peers="111,include,398,,,\n", values=values)
    index = {
        (r["level"], r["rollup_id"], r["region_code"]): r
        for r in rows(con, "select * from reports.welfare_index")
    }
    assert index["measure", "hb", "111"]["index_value"] == pytest.approx(110.0)
    assert index["measure", "lb", "111"]["index_value"] == pytest.approx(80.0)
    assert index["measure", "rate", "111"]["index_value"] == pytest.approx(100.0)
    assert index["measure", "lb", "SSS"]["index_value"] == pytest.approx(100.0)
    # Lahti's rate is half the national: a harm at half the rate is 200
    assert index["measure", "rate", "398"]["index_value"] == pytest.approx(200.0)
    assert not any(key[1] in ("ctx", "visits") for key in index)  # context and counts are no index
    # goal g3 = lb + rate; theme t1 = hb + lb; averages over Heinola's measures
    assert index["goal", "g3", "111"]["index_value"] == pytest.approx(90.0)
    assert index["theme", "t1", "111"]["index_value"] == pytest.approx(95.0)
    assert index["goal", "g3", "398"]["index_value"] == pytest.approx(150.0)
    assert index["goal", "g3", "SSS"]["index_value"] == pytest.approx(100.0)
    # both members complete in goal g3: ranked, Lahti first
    assert (
        index["goal", "g3", "398"]["rank_among_peers"],
        index["goal", "g3", "111"]["rank_among_peers"],
    ) == (1, 2)
    assert (
        index["measure", "hb", "111"]["period"]
        if False
        else index["measure", "hb", "111"]["last_period"] == "2026"
    )


def test_index_ranks_only_when_every_peer_is_complete(make_db):
    national = {"region_code": "SSS", "region_level": "koko_maa"}
    values = [
        v("lb", 2026, 10.0, **national),
        v("rate", 2026, 40.0, **national),
        v("lb", 2026, 12.5),
        v("rate", 2026, 40.0),
        v("lb", 2026, 5.0, region_code="098"),  # Hollola lacks the rate
    ]
    con = make_db("111", peers="111,include,098,,,\n", values=values)
    g3 = {
        r["region_code"]: r for r in rows(con, "select * from reports.welfare_index where rollup_id = 'g3'")
    }
    assert (g3["111"]["measures_in_index"], g3["111"]["is_complete"]) == (2, True)
    assert (g3["098"]["measures_in_index"], g3["098"]["is_complete"], g3["098"]["index_value"]) == (
        1,
        False,
        200.0,
    )
    assert g3["111"]["rank_among_peers"] is None and g3["098"]["rank_among_peers"] is None


# --- group gaps -------------------------------------------------------------------------------------


def with_gender_column(con: duckdb.DuckDBPyConnection, models: list[SqlModel], figures: list[dict]) -> None:
    """Replace marts.indicator_values by hand-made rows that carry gender (as issue 13 will), rebuild ours."""
    frame = pd.DataFrame.from_records(
        [
            {
                "source": "kouluterveyskysely",
                "region_name": None,
                "region_code": "111",
                "region_level": "kunta",
                "group_type": "school_level",
                "abs_value": None,
                "sample_size": None,
                "unit": "percent",
                "is_demo": False,
                "fetched_at": pd.Timestamp("2026-11-01"),
                **f,
                "year": int(f["period"][:4]),
            }
            for f in figures
        ]
    )
    replace_tables(con, {"marts.indicator_values": frame})
    for model in models:
        if model.table in OWN_MODELS:
            materialize(con, model)


def ktk(group: str, gender: str, value: float, n: float | None, **fields) -> dict:
    return {
        "measure_id": "ktk",
        "period": "2025",
        "group_value": group,
        "gender": gender,
        "value": value,
        "sample_size": n,
        **fields,
    }


def test_gender_and_school_level_gaps_with_their_intervals(make_db, models):
    con = make_db("111", peers="111,include,098,,,\n")
    country = {"region_code": "SSS", "region_level": "koko_maa"}
    with_gender_column(
        con,
        models,
        [
            # 8.-9. lk: girls 7.9 % of 380, boys 5.1 % of 390 -> inside the noise; girls 30 % of 150,
            # boys 15 % of 150 in lukio -> a real gap
            ktk("8.-9. lk", "female", 7.9, 380),
            ktk("8.-9. lk", "male", 5.1, 390),
            ktk("lukio", "female", 30.0, 150),
            ktk("lukio", "male", 15.0, 150),
            # no sample sizes: not judged
            ktk("ammatillinen", "female", 12.0, None),
            ktk("ammatillinen", "male", 6.0, None),
            # the country's same groups: lukio girls 20 % of 40 000
            ktk("lukio", "female", 20.0, 40_000, **country),
            ktk("lukio", "male", 14.0, 40_000, **country),
            # a rate with counts (Sotkanet absValue): 60 vs 40 per 10 000 on 30 vs 20 cases
            {
                "measure_id": "rate",
                "period": "2025",
                "group_type": "total",
                "group_value": "total",
                "gender": "female",
                "value": 60.0,
                "abs_value": 30.0,
                "unit": "per_10000",
            },
            {
                "measure_id": "rate",
                "period": "2025",
                "group_type": "total",
                "group_value": "total",
                "gender": "male",
                "value": 40.0,
                "abs_value": 20.0,
                "unit": "per_10000",
            },
        ],
    )
    gaps = {
        (r["gap_type"], r["region_code"], r["measure_id"], r["group_value"], r["gender"]): r
        for r in rows(con, "select * from reports.group_gaps")
    }
    lukio = gaps["gender", "111", "ktk", "lukio", "female_vs_male"]
    low, high = newcombe(0.30, 150, 0.15, 150)
    assert (lukio["gap"], lukio["gap_rule"]) == (pytest.approx(15.0), "newcombe")
    assert (lukio["gap_low"], lukio["gap_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert (lukio["gap_status"], lukio["is_reported_gap"], lukio["worse_side"]) == ("gap", True, "female")
    assert (
        lukio["summary_fi"] == "lukio tytöt: koulukiusattuna vähintään kerran viikossa 30,0 % vs pojat 15,0 %"
    )
    assert lukio["summary_en"] == "lukio girls: bullied at school at least once a week 30.0 % vs boys 15.0 %"

    level_8_9 = gaps["gender", "111", "ktk", "8.-9. lk", "female_vs_male"]
    low, high = newcombe(0.079, 380, 0.051, 390)
    assert low < 0 < high
    assert (level_8_9["gap_low"], level_8_9["gap_high"]) == (
        pytest.approx(100 * low),
        pytest.approx(100 * high),
    )
    assert (level_8_9["gap_status"], level_8_9["is_reported_gap"], level_8_9["worse_side"]) == (
        "within_noise",
        False,
        None,
    )

    vocational = gaps["gender", "111", "ktk", "ammatillinen", "female_vs_male"]
    assert (vocational["gap_rule"], vocational["gap_status"], vocational["is_reported_gap"]) == (
        "no_sample_size",
        "not_judged",
        False,
    )
    assert vocational["gap_low"] is None

    # the country's own gender gap, and Heinola's lukio girls against the country's lukio girls
    assert gaps["gender", "SSS", "ktk", "lukio", "female_vs_male"]["gap"] == pytest.approx(6.0)
    girls = gaps["vs_country", "111", "ktk", "lukio", "female"]
    low, high = newcombe(0.30, 150, 0.20, 40_000)
    assert (girls["gap"], girls["gap_low"], girls["gap_high"]) == (
        pytest.approx(10.0),
        pytest.approx(100 * low),
        pytest.approx(100 * high),
    )
    assert (girls["side_1"], girls["side_0"], girls["is_reported_gap"]) == ("111", "SSS", True)
    assert (
        girls["summary_fi"]
        == "Heinola lukio tytöt: koulukiusattuna vähintään kerran viikossa 30,0 % vs koko maa 20,0 %"
    )

    # rate ratio: Wilson interval of 30 / 50, mapped to the ratio (equal exposures 5000) and to the unit
    rate = gaps["gender", "111", "rate", "total", "female_vs_male"]
    s_low, s_high = wilson(30 / 50, 50)
    assert rate["gap_rule"] == "rate_ratio"
    assert rate["gap_low"] == pytest.approx(40.0 * (s_low / (1 - s_low) - 1))
    assert rate["gap_high"] == pytest.approx(40.0 * (s_high / (1 - s_high) - 1))
    assert rate["gap_status"] == "within_noise"


def test_gender_rows_without_a_gender_column_are_read_from_group_type(make_db):
    """Until marts.indicator_values has gender, a group_type 'gender' row is that gender of 'total'."""
    values = [
        v("hb", 2026, 60.0, group_type="gender", group_value="female", sample_size=400),
        v("hb", 2026, 50.0, group_type="gender", group_value="male", sample_size=400),
        v("hb", 2026, 55.0),
    ]
    con = make_db("111", values=values)
    genders = sorted(
        con.execute(
            "select gender, group_type, group_value, value from intermediate.int_group_values "
            "where measure_id = 'hb'"
        ).fetchall()
    )
    assert genders == [
        ("female", "total", "total", 60.0),
        ("male", "total", "total", 50.0),
        ("total", "total", "total", 55.0),
    ]
    gap = rows(con, "select * from reports.group_gaps where gap_type = 'gender'")
    assert [(g["gap"], g["gap_rule"], g["is_reported_gap"], g["worse_side"]) for g in gap] == [
        (pytest.approx(10.0), "newcombe", True, "male")
    ]
