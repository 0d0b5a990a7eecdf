"""Unit tests for hyte_assets.lib.hyte (config, scoring, what_if).

Every expected number below is worked out by hand in the comment next to it (never by calling the module),
on tiny made-up municipalities:

    A = "001" population 1000, B = "002" population 2000, C = "003" population 7000   (total 10 000)

with two process items p1, p2 and two outcome indicators o1, o2, all weighted 0.25 (= 0.5 / 2, i.e. the
exact halves, so the weighted sum equals the mean of the two means).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hyte_assets.lib import hyte as hk
from hyte_assets.lib.errors import SourceError

REPO = Path(__file__).resolve().parents[2]
HYTE_DIR = REPO / "data" / "hyte"
CODES = ["001", "002", "003"]
APPROX = {"rel": 1e-9, "abs": 1e-9}


def small_indicators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["p1", "p2", "o1", "o2"],
            "kind": ["process", "process", "outcome", "outcome"],
            "title_fi": ["prosessi 1", "prosessi 2", "tulos 1", "tulos 2"],
            "weight": [0.25, 0.25, 0.25, 0.25],
            "polarity": ["higher_better", "higher_better", "lower_better", "lower_better"],
        }
    )


def small_answers() -> pd.DataFrame:
    # p1: A yes (1), B no (0), C yes (100 form).  p2: A NaN (missing), B yes, C has no row at all (missing).
    return pd.DataFrame(
        [
            ("001", "p1", 2023, 1),
            ("001", "p2", 2023, np.nan),
            ("002", "p1", 2023, 0),
            ("002", "p2", 2023, 100),
            ("003", "p1", 2023, 100),
        ],
        columns=["municipality_code", "indicator_id", "collection_year", "answer"],
    )


def small_values() -> pd.DataFrame:
    rows = [
        # o1: A 10 → 8 (−2), B 10 → 10 (0), C 10 → 12 (+2); plus a 2024 value for A that payment year 2025
        # must NOT use (outcome years <= 2025 − 2 = 2023).
        ("001", "o1", 2022, 10.0),
        ("001", "o1", 2023, 8.0),
        ("001", "o1", 2024, 100.0),
        ("002", "o1", 2022, 10.0),
        ("002", "o1", 2023, 10.0),
        ("003", "o1", 2022, 10.0),
        ("003", "o1", 2023, 12.0),
        # o2: A 18, 20, 21 (+1 last); B 22, 20, 17 (−3 last); C 22, 20, 20 (0 last).
        ("001", "o2", 2021, 18.0),
        ("001", "o2", 2022, 20.0),
        ("001", "o2", 2023, 21.0),
        ("002", "o2", 2021, 22.0),
        ("002", "o2", 2022, 20.0),
        ("002", "o2", 2023, 17.0),
        ("003", "o2", 2021, 22.0),
        ("003", "o2", 2022, 20.0),
        ("003", "o2", 2023, 20.0),
    ]
    return pd.DataFrame(rows, columns=["municipality_code", "indicator_id", "year", "value"])


def small_population() -> pd.DataFrame:
    return pd.DataFrame({"municipality_code": CODES, "population": [1000, 2000, 7000]})


def points_of(df: pd.DataFrame, indicator_id: str) -> dict[str, float]:
    sub = df[df["indicator_id"] == indicator_id]
    return dict(zip(sub["municipality_code"], sub["points"], strict=True))


def scored(assumptions: hk.Assumptions | None = None, payment_year: int = 2025):
    a = assumptions or hk.Assumptions()
    pp = hk.score_process(small_answers(), small_indicators(), CODES, a, payment_year=payment_year)
    op = hk.score_outcomes(small_values(), small_indicators(), CODES, a, payment_year=payment_year)
    return pp, op


# ----------------------------------------------------------------------------------------------------------
# Configuration files
# ----------------------------------------------------------------------------------------------------------


def test_indicator_file_has_the_21_annex_indicators_with_only_cited_sotkanet_ids() -> None:
    ind = hk.load_indicators(HYTE_DIR / "indicators.csv")
    assert len(ind) == 21
    assert (ind["kind"] == "process").sum() == 15
    assert (ind["kind"] == "outcome").sum() == 6
    groups = ind[ind["kind"] == "process"].groupby("group").size().to_dict()
    assert groups == {"peruskoulu": 4, "liikunta": 5, "kuntajohto": 5, "kulttuuri": 1}  # THL's counts
    assert set(ind.loc[ind["kind"] == "process", "weight"]) == {0.0333}
    assert set(ind.loc[ind["kind"] == "outcome", "weight"]) == {0.0833}
    assert set(ind.loc[ind["kind"] == "outcome", "polarity"]) == {"lower_better"}
    assert (
        ind.loc[ind["kind"] == "process", "tea_sector"] == ind.loc[ind["kind"] == "process", "group"]
    ).all()
    assert ind["indicator_id"].iloc[0] == "p01_kouluympariston_tarkastus"
    assert ind["indicator_id"].iloc[14] == "p15_kulttuuri_kynnys"
    ids = ind.dropna(subset=["sotkanet_id"]).set_index("indicator_id")["sotkanet_id"].to_dict()
    # The six ids whose 2015 titles match the annex (../shared/reference/sotkanet-indicators-verified.csv).
    assert ids == {
        "o1a_ktk_koettu_terveys_8_9": "286",
        "o1b_ktk_ylipaino_8_9": "3906",
        "o2_koulutuksen_ulkopuolella_17_24": "3219",
        "o3_pitkaaik_toimeentulotuki_25_64": "234",
        "o4_tyokyvyttomyyselake_25_64": "306",
        "o5_kaatumiset_65": "3959",
    }
    status = ind.dropna(subset=["sotkanet_id"]).set_index("indicator_id")["sotkanet_id_status"].to_dict()
    assert set(status.values()) == {"exact_2015_title"}
    # Outcome indicators that are also plan measures name them; each must exist in the catalog.
    catalog = pd.read_csv(HYTE_DIR.parent / "catalog" / "measures.csv", dtype=str)
    mapped = ind["measure_id"].dropna()
    assert set(mapped) <= set(catalog["measure_id"])
    assert set(ind.loc[ind["kind"] == "process", "measure_id"].dropna()) == set()
    assert ind["source_note"].notna().all()


def test_base_prices_and_published_figure() -> None:
    prices = hk.load_base_prices(HYTE_DIR / "base_prices.csv")
    assert prices.set_index("payment_year")["eur_per_resident"].dropna().to_dict() == {
        2023: 18.89,
        2024: 19.31,
        2025: 19.97,
    }
    row_2026 = prices[prices["payment_year"] == 2026].iloc[0]
    assert np.isnan(row_2026["eur_per_resident"])
    assert row_2026["source"] == "unknown: not yet cited"
    sets = hk.load_assumptions(HYTE_DIR / "assumptions.toml")
    # 2026 has no cited price: the default set moves the 2025 price by the named index (19.97 × 1.022 =
    # 20.409 → 20.41) and labels it assumed; previous_year_price keeps 19.97.
    price, label = hk.base_price_for(prices, 2026, sets["default"])
    assert price == 20.41
    assert label.startswith("assumed = 2025 price 19.97 × (1 + 2.2 %)^1")
    assert "kuntien peruspalveluiden hintaindeksi" in label and "HE 42/2023" in label
    # Two years without a price compound: 19.97 × 1.022² = 20.858 → 20.86.
    assert hk.base_price_for(prices[prices["payment_year"] < 2026], 2027, sets["default"])[0] == 20.86
    assert hk.base_price_for(prices, 2026, sets["previous_year_price"]) == (
        19.97,
        "assumed = 2025 price, unverified",
    )
    # The cited 2024 price is the 2023 price moved by the cited 2024 index (+2.2 %): the rule reproduces it.
    cited_2023 = prices[prices["payment_year"] == 2023]
    assert hk.base_price_for(cited_2023, 2024, sets["default"])[0] == 19.31
    assert hk.base_price_for(prices, 2024, sets["default"])[0] == 19.31
    strict = dataclasses.replace(sets["default"], base_price_fallback="none")
    with pytest.raises(ValueError, match="no cited perushinta"):
        hk.base_price_for(prices, 2026, strict)
    published = hk.load_published(HYTE_DIR / "published.csv")
    heinola = published.iloc[0]
    assert (heinola["municipality_code"], heinola["payment_year"], heinola["eur_per_resident"]) == (
        "111",
        2026,
        21.5,
    )
    assert "Rakenteet hyte-työn taustalla" in heinola["source"]


def test_assumption_file_default_matches_dataclass_and_every_set_changes_something() -> None:
    sets = hk.load_assumptions(HYTE_DIR / "assumptions.toml")
    assert hk.DEFAULT_ASSUMPTION_SET in sets
    default = sets["default"]
    # The file's default set spells out the dataclass defaults, except that it reads the vintage table
    # (the library default is fixed_lag so that a bare Assumptions() needs no file).
    assert default.data_years == "vintage" and len(default.vintages) == 5 * 21
    assert dataclasses.replace(
        default, description="", data_years="fixed_lag", vintages=()
    ) == hk.Assumptions(name="default")
    assert default.scaling_method == "minmax_abs"
    assert default.target_rule == "none"
    assert (default.outcome_latest_lag, default.process_latest_lag, default.population_lag) == (2, 1, 2)
    assert default.weights == "published"
    for name, a in sets.items():
        assert a.name == name
        assert a.description.strip()
        if name != "default":
            assert dataclasses.replace(a, name="default", description="") != dataclasses.replace(
                default, description=""
            ), name


def test_load_assumptions_rejects_unknown_key_and_bad_value(tmp_path: Path) -> None:
    bad_key = tmp_path / "a.toml"
    bad_key.write_text(
        '[sets.default]\ndescription = "x"\nscalling_method = "minmax_abs"\n', encoding="utf-8"
    )
    with pytest.raises(SourceError, match="unknown keys"):
        hk.load_assumptions(bad_key)
    bad_value = tmp_path / "b.toml"
    bad_value.write_text('[sets.default]\ndescription = "x"\nscaling_method = "zscore"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="scaling_method"):
        hk.load_assumptions(bad_value)
    no_default = tmp_path / "c.toml"
    no_default.write_text('[sets.other]\ndescription = "x"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="'default' is missing"):
        hk.load_assumptions(no_default)


# ----------------------------------------------------------------------------------------------------------
# Process scoring
# ----------------------------------------------------------------------------------------------------------


def test_process_scoring_missing_is_zero() -> None:
    pp, _ = scored()
    assert points_of(pp, "p1") == {"001": 100.0, "002": 0.0, "003": 100.0}  # 1 → 100, 0 → 0, 100 → 100
    assert points_of(pp, "p2") == {"001": 0.0, "002": 100.0, "003": 0.0}  # NaN → 0, 100 → 100, no row → 0
    missing = pp.set_index(["municipality_code", "indicator_id"])["missing"]
    assert missing[("001", "p2")] and missing[("003", "p2")]
    assert not missing[("002", "p1")]  # an answered "no" is 0 points but not missing
    assert (pp["assumption_set"] == "default").all()


def test_process_uses_latest_round_before_payment_year_and_does_not_carry_old_answers() -> None:
    ind = small_indicators()
    answers = pd.DataFrame(
        [
            ("001", "p1", 2021, 1),  # A answered only in the 2021 round
            ("002", "p1", 2021, 0),
            ("002", "p1", 2023, 1),
            ("003", "p1", 2023, 1),
            ("003", "p1", 2025, 0),  # 2025 round: too late for payment year 2025 (cutoff 2025 − 1 = 2024)
        ],
        columns=["municipality_code", "indicator_id", "collection_year", "answer"],
    )
    a = hk.Assumptions()
    pp = hk.score_process(answers, ind, CODES, a, payment_year=2025)
    # Round used = 2023 (latest <= 2024): A has no 2023 answer → 0 (missing), B yes → 100, C yes → 100.
    assert points_of(pp, "p1") == {"001": 0.0, "002": 100.0, "003": 100.0}
    assert set(pp.loc[pp["indicator_id"] == "p1", "collection_year"]) == {2023}
    # Payment year 2026 → cutoff 2025 → round 2025: only C answered (no) → all 0.
    pp26 = hk.score_process(answers, ind, CODES, a, payment_year=2026)
    assert points_of(pp26, "p1") == {"001": 0.0, "002": 0.0, "003": 0.0}
    # process_lag2 for payment 2026 → cutoff 2024 → the 2023 round again.
    lag2 = dataclasses.replace(a, name="process_lag2", process_latest_lag=2)
    assert points_of(hk.score_process(answers, ind, CODES, lag2, payment_year=2026), "p1") == {
        "001": 0.0,
        "002": 100.0,
        "003": 100.0,
    }


def test_process_rejects_answers_that_are_not_yes_no() -> None:
    answers = pd.DataFrame(
        [("001", "p1", 2023, 50)], columns=["municipality_code", "indicator_id", "collection_year", "answer"]
    )
    with pytest.raises(ValueError, match="1/0/NaN or 100/0"):
        hk.score_process(answers, small_indicators(), CODES)
    unknown = pd.DataFrame(
        [("001", "p9", 2023, 1)], columns=["municipality_code", "indicator_id", "collection_year", "answer"]
    )
    with pytest.raises(ValueError, match="p9"):
        hk.score_process(unknown, small_indicators(), CODES)


# ----------------------------------------------------------------------------------------------------------
# Outcome scoring
# ----------------------------------------------------------------------------------------------------------


def test_outcome_minmax_scaling_lower_is_better() -> None:
    _, op = scored()
    # o1 changes −2, 0, +2: min −2, max +2, range 4; points = 100·(max − c)/range → 100, 50, 0
    assert points_of(op, "o1") == pytest.approx({"001": 100.0, "002": 50.0, "003": 0.0}, **APPROX)
    # o2 changes +1, −3, 0: min −3, max +1, range 4 → A (1−1)/4 = 0, B (1+3)/4 = 100, C (1−0)/4 = 25
    assert points_of(op, "o2") == pytest.approx({"001": 0.0, "002": 100.0, "003": 25.0}, **APPROX)
    o1 = op[op["indicator_id"] == "o1"].set_index("municipality_code")
    assert (o1["year_prev"].iloc[0], o1["year_latest"].iloc[0]) == (2022, 2023)  # 2024 ignored for 2025
    assert o1.loc["001", "value_latest"] == 8.0
    assert o1["change"].to_dict() == {"001": -2.0, "002": 0.0, "003": 2.0}
    assert set(op["rule"]) == {"scaled"}
    assert not op["missing"].any()


def test_outcome_missing_gets_lowest_value() -> None:
    values = small_values()
    values = values[
        ~(
            (values["municipality_code"] == "003")
            & (values["indicator_id"] == "o2")
            & (values["year"] == 2023)
        )
    ]
    op = hk.score_outcomes(values, small_indicators(), CODES, hk.Assumptions(), payment_year=2025)
    # C has no 2023 value → 0 points, rule missing_lowest. Range from A (+1) and B (−3) only: A 0, B 100.
    assert points_of(op, "o2") == pytest.approx({"001": 0.0, "002": 100.0, "003": 0.0}, **APPROX)
    c = op[(op["indicator_id"] == "o2") & (op["municipality_code"] == "003")].iloc[0]
    assert c["missing"] and c["rule"] == "missing_lowest"
    # An indicator with no data at all: everyone 0 and missing.
    no_o1 = values[values["indicator_id"] != "o1"]
    op2 = hk.score_outcomes(no_o1, small_indicators(), CODES, hk.Assumptions(), payment_year=2025)
    assert points_of(op2, "o1") == {"001": 0.0, "002": 0.0, "003": 0.0}
    assert op2.loc[op2["indicator_id"] == "o1", "missing"].all()


def test_outcome_data_year_mapping_follows_payment_year_and_lag() -> None:
    a = hk.Assumptions()
    op26 = hk.score_outcomes(small_values(), small_indicators(), CODES, a, payment_year=2026)
    o1 = op26[op26["indicator_id"] == "o1"].set_index("municipality_code")
    # Payment 2026 → years <= 2024: o1 uses 2023 → 2024; only A has 2024 (8 → 100, change +92).
    assert (o1["year_prev"].iloc[0], o1["year_latest"].iloc[0]) == (2023, 2024)
    assert o1.loc["001", "change"] == 92.0
    # A single valid change has no range: midpoint 50 (degenerate_range); B and C lack 2024 → 0.
    assert o1["points"].to_dict() == {"001": 50.0, "002": 0.0, "003": 0.0}
    assert o1.loc["001", "rule"] == "degenerate_range"
    # o2 has no 2024 data → still 2022 → 2023.
    o2 = op26[op26["indicator_id"] == "o2"]
    assert (o2["year_prev"].iloc[0], o2["year_latest"].iloc[0]) == (2022, 2023)
    # outcome_lag3 for payment 2026 → years <= 2023 → o1 back to 2022 → 2023 and A's 100 points.
    lag3 = dataclasses.replace(a, name="outcome_lag3", outcome_latest_lag=3)
    op_lag3 = hk.score_outcomes(small_values(), small_indicators(), CODES, lag3, payment_year=2026)
    assert points_of(op_lag3, "o1") == pytest.approx({"001": 100.0, "002": 50.0, "003": 0.0}, **APPROX)


def test_explicit_target_level_gives_full_points() -> None:
    a = hk.Assumptions(name="t", target_rule="explicit", target_levels=(("o1", 10.0),))
    op = hk.score_outcomes(small_values(), small_indicators(), CODES, a, payment_year=2025)
    # Target o1 <= 10: A latest 8 and B latest 10 are at/below → 100 (B would get 50 scaled); C 12 → scaled 0.
    assert points_of(op, "o1") == pytest.approx({"001": 100.0, "002": 100.0, "003": 0.0}, **APPROX)
    rules = op[op["indicator_id"] == "o1"].set_index("municipality_code")["rule"].to_dict()
    assert rules == {"001": "target_met", "002": "target_met", "003": "scaled"}
    # o2 has no target → unchanged scaling.
    assert points_of(op, "o2") == pytest.approx({"001": 0.0, "002": 100.0, "003": 25.0}, **APPROX)


def test_best_decile_target() -> None:
    a = hk.Assumptions(name="d", target_rule="best_decile")
    op = hk.score_outcomes(small_values(), small_indicators(), CODES, a, payment_year=2025)
    o2 = op[op["indicator_id"] == "o2"].set_index("municipality_code")
    # o2 latest values 21, 17, 20 → sorted 17, 20, 21; 10th percentile (linear) at position 0.1·2 = 0.2:
    # 17 + 0.2·(20 − 17) = 17.6. Only B (17) is at/below → B target_met; A and C keep scaled points.
    assert o2["target_level"].iloc[0] == pytest.approx(17.6)
    assert o2["rule"].to_dict() == {"001": "scaled", "002": "target_met", "003": "scaled"}
    assert o2["points"].to_dict() == pytest.approx({"001": 0.0, "002": 100.0, "003": 25.0})
    o1 = op[op["indicator_id"] == "o1"].set_index("municipality_code")
    # o1 latest 8, 10, 12 → 8 + 0.2·2 = 8.4 → A target_met (already 100 by scaling).
    assert o1["target_level"].iloc[0] == pytest.approx(8.4)
    assert o1.loc["001", "rule"] == "target_met"


ONE_OUTCOME = pd.DataFrame(
    {
        "indicator_id": ["p1", "o1"],
        "kind": ["process", "outcome"],
        "title_fi": ["p", "o"],
        "weight": [0.5, 0.5],
        "polarity": ["higher_better", "lower_better"],
    }
)


def xyz_values() -> pd.DataFrame:
    # X 100 → 90 (abs −10, rel −0.10), Y 10 → 8 (abs −2, rel −0.20), Z 10 → 11 (abs +1, rel +0.10)
    return pd.DataFrame(
        [
            ("001", "o1", 2023, 100.0),
            ("001", "o1", 2024, 90.0),
            ("002", "o1", 2023, 10.0),
            ("002", "o1", 2024, 8.0),
            ("003", "o1", 2023, 10.0),
            ("003", "o1", 2024, 11.0),
        ],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )


def test_absolute_and_relative_change_rank_differently() -> None:
    abs_ = hk.score_outcomes(xyz_values(), ONE_OUTCOME, CODES, hk.Assumptions())
    rel = hk.score_outcomes(
        xyz_values(), ONE_OUTCOME, CODES, hk.Assumptions(name="r", scaling_method="minmax_rel")
    )
    # abs: min −10, max +1, range 11 → X 100, Y (1+2)/11 = 27.27..., Z 0
    assert points_of(abs_, "o1") == pytest.approx({"001": 100.0, "002": 300 / 11, "003": 0.0}, **APPROX)
    # rel: min −0.2, max +0.1, range 0.3 → X (0.1+0.1)/0.3 = 66.67, Y 100, Z 0
    assert points_of(rel, "o1") == pytest.approx({"001": 200 / 3, "002": 100.0, "003": 0.0}, **APPROX)


def test_relative_change_from_zero() -> None:
    values = pd.DataFrame(
        [
            ("001", "o1", 2023, 0.0),
            ("001", "o1", 2024, 0.0),  # 0 → 0: relative change 0
            ("002", "o1", 2023, 0.0),
            ("002", "o1", 2024, 5.0),  # 0 → 5: relative change undefined → lowest
            ("003", "o1", 2023, 10.0),
            ("003", "o1", 2024, 5.0),  # −0.5
        ],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    op = hk.score_outcomes(values, ONE_OUTCOME, CODES, hk.Assumptions(name="r", scaling_method="minmax_rel"))
    # Valid changes 0 (A), −0.5 (C): range 0.5 → A 0, C 100; B rel_undefined_lowest 0.
    o = op.set_index("municipality_code")
    assert o["points"].to_dict() == pytest.approx({"001": 0.0, "002": 0.0, "003": 100.0})
    assert o.loc["002", "rule"] == "rel_undefined_lowest"


def test_clipped_minmax_trims_outliers() -> None:
    codes = ["001", "002", "003", "004", "005"]
    changes = {"001": -10.0, "002": -1.0, "003": 0.0, "004": 1.0, "005": 2.0}
    values = pd.DataFrame(
        [(c, "o1", 2023, 50.0) for c in codes] + [(c, "o1", 2024, 50.0 + d) for c, d in changes.items()],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    plain = hk.score_outcomes(values, ONE_OUTCOME, codes, hk.Assumptions())
    clipped = hk.score_outcomes(
        values, ONE_OUTCOME, codes, hk.Assumptions(name="c", scaling_method="clipped_minmax_abs")
    )
    # plain: min −10, max 2, range 12 → (2 − c)/12: 100, 25, 16.67, 8.33, 0
    assert points_of(plain, "o1") == pytest.approx(
        {"001": 100.0, "002": 25.0, "003": 50 / 3, "004": 25 / 3, "005": 0.0}, **APPROX
    )
    # clipped: 5th pct (linear) at position 0.05·4 = 0.2: −10 + 0.2·9 = −8.2; 95th at 3.8: 1 + 0.8·1 = 1.8.
    # Clipped changes −8.2, −1, 0, 1, 1.8; range 10 → (1.8 − c)/10: 100, 28, 18, 8, 0
    assert points_of(clipped, "o1") == pytest.approx(
        {"001": 100.0, "002": 28.0, "003": 18.0, "004": 8.0, "005": 0.0}, **APPROX
    )


# ----------------------------------------------------------------------------------------------------------
# Kerroin
# ----------------------------------------------------------------------------------------------------------


def test_compute_kerroin_by_hand() -> None:
    pp, op = scored()
    kerroin, comp = hk.compute_kerroin(
        pp, op, small_population(), small_indicators(), 20.0, hk.Assumptions(), payment_year=2025
    )
    k = kerroin.set_index("municipality_code")
    # Process points: A (100, 0), B (0, 100), C (100, 0) → means 50, 50, 50
    assert k["process_score"].to_dict() == pytest.approx({"001": 50.0, "002": 50.0, "003": 50.0})
    # Outcome points: A (100, 0), B (50, 100), C (0, 25) → means 50, 75, 12.5
    assert k["outcome_score"].to_dict() == pytest.approx({"001": 50.0, "002": 75.0, "003": 12.5})
    # Combined = 0.25·Σp + 0.25·Σo = mean of means: A 25 + 25 = 50; B 25 + 37.5 = 62.5; C 25 + 6.25 = 31.25
    assert k["combined_score"].to_dict() == pytest.approx({"001": 50.0, "002": 62.5, "003": 31.25})
    # National average = (1000·50 + 2000·62.5 + 7000·31.25) / 10000 = (50000 + 125000 + 218750) / 10000
    #                  = 39.375
    assert k["national_weighted_avg"].tolist() == pytest.approx([39.375, 39.375, 39.375])
    # Coefficients: 50/39.375 = 80/63, 62.5/39.375 = 100/63, 31.25/39.375 = 50/63
    assert k["coefficient"].to_dict() == pytest.approx(
        {"001": 80 / 63, "002": 100 / 63, "003": 50 / 63}, **APPROX
    )
    # Population-weighted mean coefficient: (1000·80 + 2000·100 + 7000·50) / 63 / 10000 = 630000/630000 = 1
    weighted_mean = (k["coefficient"] * pd.Series({"001": 1000, "002": 2000, "003": 7000})).sum() / 10000
    assert weighted_mean == pytest.approx(1.0, abs=1e-12)
    # Euros with base price 20: €/resident = 20·coef; total = that · population
    assert k["eur_per_resident"].to_dict() == pytest.approx(
        {"001": 1600 / 63, "002": 2000 / 63, "003": 1000 / 63}
    )
    assert k["eur_total"].to_dict() == pytest.approx(
        {"001": 1_600_000 / 63, "002": 4_000_000 / 63, "003": 7_000_000 / 63}
    )
    # The pot = base price × national population = 20 · 10000 = 200000
    assert k["eur_total"].sum() == pytest.approx(200_000.0)
    assert k["rank_national"].to_dict() == {"001": 2, "002": 1, "003": 3}
    assert (kerroin["payment_year"] == 2025).all()
    assert list(kerroin.columns) == hk.KERROIN_COLUMNS
    # The combined score equals the mean of the two means here (weights are the exact halves 0.25).
    assert (
        kerroin["combined_score"] - hk.mean_of_means(kerroin["process_score"], kerroin["outcome_score"])
    ).abs().max() < 1e-12

    # Components: A's p1 contributes 0.25·100 / 39.375 = 25/39.375 = 40/63; contributions sum to coefficients.
    c = comp.set_index(["municipality_code", "indicator_id"])
    assert c.loc[("001", "p1"), "contribution_to_coefficient"] == pytest.approx(40 / 63)
    assert c.loc[("003", "o2"), "contribution_to_score"] == pytest.approx(6.25)  # 0.25 · 25
    sums = comp.groupby("municipality_code")["contribution_to_coefficient"].sum()
    assert sums.to_dict() == pytest.approx(k["coefficient"].to_dict(), **APPROX)
    assert c.loc[("002", "o2"), "value_prev"] == 20.0 and c.loc[("002", "o2"), "change"] == -3.0
    assert np.isnan(c.loc[("001", "p2"), "value_latest"])  # a missing process answer stays visible as NaN
    assert list(comp.columns) == hk.COMPONENT_COLUMNS


def test_population_year_is_payment_year_minus_two_and_must_cover_all() -> None:
    pp, op = scored()
    pop = pd.concat(
        [
            small_population().assign(year=2023),
            # A wrong year that would change the result if it were used: equal populations.
            pd.DataFrame({"municipality_code": CODES, "population": [1, 1, 1], "year": 2024}),
        ]
    )
    kerroin, _ = hk.compute_kerroin(
        pp, op, pop, small_indicators(), 20.0, hk.Assumptions(), payment_year=2025
    )
    assert kerroin["national_weighted_avg"].iloc[0] == pytest.approx(39.375)  # 2023 populations used
    with pytest.raises(ValueError, match="missing \\['003'\\]"):
        hk.compute_kerroin(pp, op, small_population().iloc[:2], small_indicators(), 20.0, hk.Assumptions())


def test_published_weights_vs_exact_halves_with_the_real_indicator_list() -> None:
    ind = hk.load_indicators(HYTE_DIR / "indicators.csv")
    proc_ids = ind.loc[ind["kind"] == "process", "indicator_id"]
    out_ids = ind.loc[ind["kind"] == "outcome", "indicator_id"]
    # X: every process item 100, every outcome 0; Y: the opposite. Populations 1000 each.
    rows_p = [(c, i, 100.0 if c == "001" else 0.0) for c in ("001", "002") for i in proc_ids]
    rows_o = [(c, i, 0.0 if c == "001" else 100.0) for c in ("001", "002") for i in out_ids]
    pp = pd.DataFrame(rows_p, columns=["municipality_code", "indicator_id", "points"]).assign(missing=False)
    op = pd.DataFrame(rows_o, columns=["municipality_code", "indicator_id", "points"]).assign(
        value_prev=np.nan, value_latest=np.nan, change=np.nan
    )
    pop = pd.DataFrame({"municipality_code": ["001", "002"], "population": [1000, 1000]})
    pub, _ = hk.compute_kerroin(pp, op, pop, ind, 19.97, hk.Assumptions())
    exact, _ = hk.compute_kerroin(pp, op, pop, ind, 19.97, hk.Assumptions(name="exact", weights="exact"))
    # published: X = 15·0.0333·100 = 49.95, Y = 6·0.0833·100 = 49.98, average 49.965
    assert pub["combined_score"].tolist() == pytest.approx([49.95, 49.98])
    assert pub["coefficient"].tolist() == pytest.approx([49.95 / 49.965, 49.98 / 49.965], **APPROX)
    # exact: X = 15·(1/30)·100 = 50, Y = 6·(1/12)·100 = 50 → both coefficient 1 (mean of means = 50)
    assert exact["combined_score"].tolist() == pytest.approx([50.0, 50.0])
    assert exact["coefficient"].tolist() == pytest.approx([1.0, 1.0])
    assert pub["coefficient"].iloc[0] != pytest.approx(1.0, abs=1e-6)  # different, but only just
    # Largest gap between the two forms: 100·(15·(1/30 − 0.0333) + 6·(1/12 − 0.0833)) = 0.05 + 0.02 = 0.07
    assert hk.weight_rounding_bound(ind) == pytest.approx(0.07)
    gap = (pub["combined_score"] - hk.mean_of_means(pub["process_score"], pub["outcome_score"])).abs()
    assert (gap <= 0.07 + 1e-12).all()


def test_rank_within_region() -> None:
    pp, op = scored()
    kerroin, _ = hk.compute_kerroin(pp, op, small_population(), small_indicators(), 20.0, hk.Assumptions())
    # Nationally A is 2nd (B first); among A and C only, A is 1st.
    assert hk.rank_within(kerroin, ["001", 3]).to_dict() == {"001": 1, "003": 2}
    with pytest.raises(ValueError, match="999"):
        hk.rank_within(kerroin, ["001", "999"])


# ----------------------------------------------------------------------------------------------------------
# What-if and sensitivity
# ----------------------------------------------------------------------------------------------------------


def test_typical_step_is_median_absolute_year_on_year_change() -> None:
    # o2 diffs: A |20−18| = 2, |21−20| = 1; B 2, 3; C 2, 0 → sorted 0, 1, 2, 2, 2, 3 → median 2
    assert hk.typical_step(small_values(), "o2", max_year=2023) == 2.0
    # o1 up to 2023: A |8−10| = 2, B 0, C 2 → sorted 0, 2, 2 → median 2
    assert hk.typical_step(small_values(), "o1", max_year=2023) == 2.0
    # o2 up to 2022: A 2, B 2, C 2 → 2; only one year of o1 up to 2022 → no step (NaN)
    assert hk.typical_step(small_values(), "o2", max_year=2022) == 2.0
    assert np.isnan(hk.typical_step(small_values(), "o1", max_year=2022))


def test_what_if_orders_by_gain_and_matches_hand_computation() -> None:
    pp, op = scored()
    args = (small_values(), small_population(), small_indicators(), 20.0, hk.Assumptions())
    wi = hk.what_if("001", pp, op, *args, payment_year=2025)
    # A: p1 and o1 are already 100 → no rows. Possible: p2 (0 → 100) and o2 (0 points).
    assert wi["indicator_id"].tolist() == ["p2", "o2"]
    p2, o2 = wi.iloc[0], wi.iloc[1]
    # p2 → 100: S_A = 50 + 0.25·100 = 75; average = 39.375 + 1000·25/10000 = 41.875
    # new coefficient = 75 / 41.875 = 120/67; gain = 120/67 − 80/63 = 2200/4221 = 0.52120...
    assert p2["coefficient_after"] == pytest.approx(120 / 67, **APPROX)
    assert p2["gain_coefficient"] == pytest.approx(2200 / 4221, **APPROX)
    assert p2["gain_eur_per_resident"] == pytest.approx(20 * 2200 / 4221, **APPROX)
    assert p2["gain_eur_total"] == pytest.approx(1000 * 20 * 2200 / 4221, rel=1e-9)
    # o2 improved by one typical step 2: A 21 → 19, change −1. Changes −1, −3, 0: min −3, max 0, range 3
    # → A (0 + 1)/3 = 33.33, B 100, C 0 (C drops from 25). S_A = 25 + 0.25·(100 + 33.33) = 58.333,
    # S_B = 62.5, S_C = 25 + 0.25·(0 + 0) = 25; average = (58333.3 + 125000 + 175000)/10000 = 35.8333
    # new coefficient = 58.3333/35.8333 = 70/43; gain = 70/43 − 80/63 = 970/2709 = 0.35807
    assert o2["points_after"] == pytest.approx(100 / 3)
    assert o2["coefficient_after"] == pytest.approx(70 / 43, **APPROX)
    assert o2["gain_eur_per_resident"] == pytest.approx(20 * 970 / 2709, **APPROX)
    assert (wi["gain_eur_per_resident"].diff().dropna() <= 0).all()
    assert (wi["assumption_set"] == "default").all()


def test_what_if_large_municipality_moves_the_national_average() -> None:
    pp, op = scored()
    args = (small_values(), small_population(), small_indicators(), 20.0, hk.Assumptions())
    wi = hk.what_if("003", pp, op, *args).set_index("indicator_id")
    # C (70 % of the population) p2 → 100: S_C = 31.25 + 25 = 56.25; average = 39.375 + 7000·25/10000
    # = 56.875; coefficient 56.25/56.875 = 90/91; gain = 90/91 − 50/63 = 1120/5733 = 0.19536, far less than
    # the 25/39.375 = 0.6349 a fixed average would give.
    assert wi.loc["p2", "gain_coefficient"] == pytest.approx(1120 / 5733, **APPROX)
    assert wi.loc["p2", "gain_coefficient"] < 25 / 39.375
    assert "p1" not in wi.index  # already 100


def test_compare_assumption_sets_shows_the_spread() -> None:
    sets = hk.load_assumptions(HYTE_DIR / "assumptions.toml")
    prices = hk.load_base_prices(HYTE_DIR / "base_prices.csv")
    answers = pd.DataFrame(
        [("001", "p1", 2025, 1), ("002", "p1", 2025, 0), ("003", "p1", 2025, 1)],
        columns=["municipality_code", "indicator_id", "collection_year", "answer"],
    )
    # Toy indicator ids are not in vintages.csv: the sets run on fixed lags and the unchanged 2025 price here.
    chosen = {
        name: dataclasses.replace(
            sets[name], data_years="fixed_lag", vintages=(), base_price_fallback="previous_year"
        )
        for name in ("default", "relative_change", "exact_weights")
    }
    table = hk.compare_assumption_sets(
        "001",
        answers,
        xyz_values(),
        small_population(),
        ONE_OUTCOME,
        CODES,
        prices,
        chosen,
        payment_year=2026,
        published_eur_per_resident=21.5,
    ).set_index("assumption_set")
    # 2026 price not cited → 19.97, labelled as assumed.
    assert (table["base_price_eur"] == 19.97).all()
    assert (table["base_price_source"] == "assumed = 2025 price, unverified").all()
    # default (abs): points X 100, Y 300/11, Z 0; S = 0.5·p + 0.5·o: X 100, Y 150/11, Z 50.
    # average = (1000·100 + 2000·150/11 + 7000·50)/10000 = 525/11; X coefficient = 100·11/525 = 44/21
    assert table.loc["default", "coefficient"] == pytest.approx(44 / 21, **APPROX)
    assert table.loc["default", "eur_per_resident"] == pytest.approx(19.97 * 44 / 21, **APPROX)
    # relative: points X 200/3, Y 100, Z 0; S: X 50 + 100/3 = 250/3, Y 50, Z 50.
    # average = (1000·250/3 + 2000·50 + 7000·50)/10000 = 160/3; X coefficient = (250/3)/(160/3) = 1.5625
    assert table.loc["relative_change", "coefficient"] == pytest.approx(1.5625, **APPROX)
    assert table.loc["relative_change", "delta_vs_default_eur"] == pytest.approx(19.97 * (1.5625 - 44 / 21))
    # With one process + one outcome item at weights 0.5 the published and exact forms coincide here.
    assert table.loc["exact_weights", "coefficient"] == pytest.approx(44 / 21, **APPROX)
    assert table.loc["default", "delta_vs_published_eur"] == pytest.approx(19.97 * 44 / 21 - 21.5)


def test_every_output_row_carries_the_assumption_set_name() -> None:
    a = hk.Assumptions(name="my_set", scaling_method="minmax_rel")
    pp, op = scored(a)
    kerroin, comp = hk.compute_kerroin(pp, op, small_population(), small_indicators(), 20.0, a)
    wi = hk.what_if("002", pp, op, small_values(), small_population(), small_indicators(), 20.0, a)
    for frame in (pp, op, kerroin, comp, wi):
        assert len(frame) and (frame["assumption_set"] == "my_set").all()


def test_scaled_points_hit_exactly_0_and_100_with_awkward_floats() -> None:
    # Regression: 100·(max − c)/(max − min) can come out as 100.00000000000001 in floating point, which the
    # [0, 100] check in compute_kerroin rejects. Seeded awkward values: extremes must be exactly 0 and 100.
    rng = np.random.default_rng(0)
    codes = [f"{i:03d}" for i in range(1, 301)]
    values = pd.DataFrame(
        [(c, "o1", y, rng.uniform(5, 20)) for c in codes for y in (2023, 2024)],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    for method in hk.SCALING_METHODS:
        op = hk.score_outcomes(values, ONE_OUTCOME, codes, hk.Assumptions(name=method, scaling_method=method))
        assert op["points"].max() == 100.0 and op["points"].min() == 0.0, method
