"""Vintages, inputs from the catalog's series, report sentences and the calibration check (lib/hyte).

Hand-computed two-municipality world (every number worked out in the comments, never by the module):

    A = "001" population 1000, B = "002" population 3000; one process item p1 and one outcome o1,
    weights 0.5 each, so S = 0.5 · p + 0.5 · o.
    p1 (TEA round 2025): A no (0), B yes (100).
    o1: A 10 (2021), 12 (2022), 9 (2023); B 10, 11, 12. Lower is better.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hyte_assets.lib import hyte as hk
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.hyte import inputs
from hyte_assets.lib.hyte.what_if import calibration, published_sentences

REPO = Path(__file__).resolve().parents[2]
HYTE_DIR = REPO / "data" / "hyte"
APPROX = {"rel": 1e-9, "abs": 1e-9}
CODES = ["001", "002"]


def two_indicators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["p1", "o1"],
            "kind": ["process", "outcome"],
            "title_fi": ["prosessi", "tulos"],
            "weight": [0.5, 0.5],
            "polarity": ["higher_better", "lower_better"],
            "measure_id": [None, "m_o1"],
            "measure_group": [None, "school_level=8.-9. lk"],
        }
    )


def two_answers() -> pd.DataFrame:
    return pd.DataFrame(
        [("001", "p1", 2025, 0), ("002", "p1", 2025, 1)],
        columns=["municipality_code", "indicator_id", "collection_year", "answer"],
    )


def two_values() -> pd.DataFrame:
    rows = [("001", 2021, 10.0), ("001", 2022, 12.0), ("001", 2023, 9.0)]
    rows += [("002", 2021, 10.0), ("002", 2022, 11.0), ("002", 2023, 12.0)]
    return pd.DataFrame(
        [(code, "o1", year, value) for code, year, value in rows],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )


def two_population() -> pd.DataFrame:
    return pd.DataFrame({"municipality_code": CODES, "population": [1000, 3000]})


def vintage(o1_year: int) -> hk.Assumptions:
    return hk.Assumptions(data_years="vintage", vintages=((2026, "p1", 2025), (2026, "o1", o1_year)))


def run(assumptions: hk.Assumptions) -> pd.DataFrame:
    kerroin, _ = hk.calculate(
        two_answers(),
        two_values(),
        two_population(),
        two_indicators(),
        CODES,
        20.0,
        assumptions,
        payment_year=2026,
    )
    return kerroin.set_index("municipality_code")


def test_two_municipalities_by_hand_and_a_vintage_change_moves_the_result() -> None:
    # Vintage 2022: the change 2021→2022 is A +2, B +1; min–max (lower better) gives A 0, B 100.
    # S_A = 0.5·0 + 0.5·0 = 0, S_B = 0.5·100 + 0.5·100 = 100; average = (1000·0 + 3000·100)/4000 = 75;
    # coefficient A = 0, B = 100/75 = 4/3.
    old = run(vintage(2022))
    assert old.loc["001", "coefficient"] == pytest.approx(0.0, **APPROX)
    assert old.loc["002", "coefficient"] == pytest.approx(4 / 3, **APPROX)
    assert old.loc["002", "eur_per_resident"] == pytest.approx(20 * 4 / 3, **APPROX)
    # Vintage 2023: change 2022→2023 is A −3, B +1: A 100, B 0. S_A = 0 + 50 = 50, S_B = 50 + 0 = 50;
    # average = 50; both coefficients are exactly 1.
    new = run(vintage(2023))
    assert new["coefficient"].tolist() == pytest.approx([1.0, 1.0], **APPROX)
    assert new.loc["001", "eur_total"] == pytest.approx(20 * 1000, **APPROX)
    # The fixed-lag alternative (outcome years <= 2026 − 2 = 2024 → latest 2023) agrees with vintage 2023,
    # and outcome lag 4 (<= 2022) with vintage 2022.
    assert run(hk.Assumptions())["coefficient"].tolist() == pytest.approx([1.0, 1.0], **APPROX)
    lag4 = run(hk.Assumptions(outcome_latest_lag=4))
    assert lag4.loc["002", "coefficient"] == pytest.approx(4 / 3, **APPROX)


def test_vintage_without_a_row_fails_naming_year_and_indicator() -> None:
    partial = hk.Assumptions(data_years="vintage", vintages=((2026, "p1", 2025),))
    with pytest.raises(ValueError, match=r"payment year 2026, indicator 'o1'"):
        run(partial)


def test_shipped_vintage_table_covers_every_indicator_with_reasoning(tmp_path: Path) -> None:
    table = hk.load_vintages(HYTE_DIR / "vintages.csv")
    indicators = hk.load_indicators(HYTE_DIR / "indicators.csv")
    for year in range(2023, 2028):
        got = set(table.loc[table["payment_year"] == year, "indicator_id"])
        assert got == set(indicators["indicator_id"]), year
    assert table["reasoning"].str.len().min() > 40
    by = table.set_index(["payment_year", "indicator_id"])["data_year"]
    # Payment 2026 (calculated autumn 2025): register outcomes at t−3, KTK at the 2023 round, TEA rounds
    # 2025 (odd-year sectors) and 2024 (liikunta).
    assert by[(2026, "o2_koulutuksen_ulkopuolella_17_24")] == 2023
    assert by[(2026, "o1a_ktk_koettu_terveys_8_9")] == 2023
    assert by[(2026, "p10_arviointikertomus_hyte")] == 2025
    assert by[(2026, "p05_liikunta_ennakkoarviointi")] == 2024
    # Payment 2027 is the first that uses the real Heinola 2024 value of 3219.
    assert by[(2027, "o2_koulutuksen_ulkopuolella_17_24")] == 2024
    broken = tmp_path / "vintages.csv"
    broken.write_text(
        "payment_year,indicator_id,data_year,status,reasoning\n2026,o1,2023,assumed,\n", encoding="utf-8"
    )
    with pytest.raises(SourceError, match="row 2"):
        hk.load_vintages(broken)


def series_frame(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_id": measure,
                "region_code": code,
                "region_level": "kunta" if code != "SSS" else "koko_maa",
                "group_type": group_type,
                "group_value": "8.-9. lk" if group_type == "school_level" else "total",
                "year": year,
                "period": str(year),
                "value": value,
                "is_demo": False,
            }
            for measure, code, group_type, year, value in rows
        ]
    )


def test_catalog_series_win_and_the_raw_file_only_fills_gaps() -> None:
    series = series_frame(
        [
            ("m_o1", "001", "school_level", 2021, 10.0),
            ("m_o1", "001", "school_level", 2023, 9.0),
            ("m_o1", "001", "total", 2023, 99.0),  # another group: ignored
            ("m_o1", "SSS", "school_level", 2023, 50.0),  # not a municipality: ignored
        ]
    )
    raw = pd.DataFrame(
        [("001", "o1", 2023, 9.0, True), ("002", "o1", 2023, 12.0, True)],
        columns=["municipality_code", "indicator_id", "year", "value", "is_demo"],
    )
    values = inputs.outcome_values(series, raw, two_indicators())
    got = {(r.municipality_code, r.year): (r.value, r.value_source) for r in values.itertuples()}
    assert got == {
        ("001", 2021): (10.0, "marts.measure_series"),
        ("001", 2023): (9.0, "marts.measure_series"),
        ("002", 2023): (12.0, "raw.hyte_outcome_values"),  # the series lacks 002 entirely
    }
    assert inputs.disagreements(series, raw, two_indicators()).empty
    raw.loc[0, "value"] = 9.5
    conflict = inputs.disagreements(series, raw, two_indicators())
    assert conflict.to_dict("records") == [
        {
            "municipality_code": "001",
            "indicator_id": "o1",
            "year": 2023,
            "value_series": 9.0,
            "value_raw": 9.5,
        }
    ]


def test_population_takes_the_real_figure_only_for_the_same_year() -> None:
    pipeline = pd.DataFrame(
        [("111", 2025, 186_000.0, True), ("111", 2024, 185_000.0, True), ("398", 2025, 120_000.0, False)],
        columns=["municipality_code", "year", "population", "is_demo"],
    )
    real = pd.DataFrame(
        [("111", 17_694, 2025), ("398", 121_000, 2025)],
        columns=["municipality_code", "population", "population_year"],
    )
    y2025 = inputs.population_for_year(pipeline, real, 2025, ["111", "398"]).set_index("municipality_code")
    assert y2025.loc["111", "population"] == 17_694 and not y2025.loc["111", "is_demo"]
    assert y2025.loc["398", "population"] == 120_000  # a real pipeline figure is kept
    y2024 = inputs.population_for_year(pipeline, real, 2024, ["111"]).set_index("municipality_code")
    assert y2024.loc["111", "population"] == 185_000 and y2024.loc["111", "is_demo"]


def test_calibration_against_the_published_spread() -> None:
    # Published: mean 18.23/18.89 = 0.9651, min 7.50/18.89 = 0.3970, max 22/18.89 = 1.1646.
    inside = pd.DataFrame({"coefficient": [0.40, 1.16, 0.965, 0.965, 1.34]})  # mean 0.966
    table = calibration(inside).set_index("statistic")
    assert table.loc["mean", "published_coefficient"] == pytest.approx(18.23 / 18.89)
    assert not table.loc["max", "within_tolerance"]  # 1.34 − 1.1646 = 0.175 > 0.15
    assert table.loc[["mean", "min"], "within_tolerance"].all()
    # A demo that is too low on average: mean (0.5 + 0.6 + 1.1)/3 = 0.7333, 0.232 below 0.9651.
    low = calibration(pd.DataFrame({"coefficient": [0.5, 0.6, 1.1]})).set_index("statistic")
    assert low["within_tolerance"].to_dict() == {"mean": False, "min": True, "max": True}


def test_report_sentences_in_finnish_and_english() -> None:
    row = {
        "assumption_set": "default",
        "payment_year": 2026,
        "coefficient": 1.0812,
        "base_price_eur": 20.41,
        "base_price_source": "assumed = 2025 price 19.97 × (1 + 2.2 %)^1",
        "eur_per_resident": 22.067,
        "published_eur_per_resident": 21.5,
        "demo_inputs": "process_answers",
    }
    fi, en = published_sentences(row, "Heinola")
    assert fi.startswith("Heinolan hyte-kerroin maksuvuodelle 2026 on mallin mukaan 1,081")
    assert "21,5 €/asukas vastaa kerrointa 1,053" in fi  # 21.5 / 20.41 = 1.0534
    assert "ero +0,57 €/asukas" in fi and "demoaineistoa" in fi and "oletettu" in fi
    assert "coefficient of 1.053" in en and "+0.57 €/resident" in en and "not official" in en
