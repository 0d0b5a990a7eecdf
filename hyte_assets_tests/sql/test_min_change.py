"""data/scorecard/min_change.csv: a threshold for every unit the catalog uses, in a shape the SQL reads."""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import MIN_CHANGE_CSV, REPO

CATALOG_MEASURES = REPO / "data" / "catalog" / "measures.csv"
# the units data/catalog/README.md allows
CATALOG_UNITS = {
    "percent",
    "count",
    "per_10000",
    "per_100000",
    "eur_per_m2",
    "gini",
    "eur_per_resident",
    "yes_no",
    "score_0_100",
}


def thresholds() -> pd.DataFrame:
    return pd.read_csv(
        MIN_CHANGE_CSV, dtype={"unit": str, "kind": str, "rationale": str}, keep_default_na=False
    )


def test_columns_and_values_are_well_formed():
    table = thresholds()
    assert list(table.columns) == ["unit", "min_change", "kind", "rationale"]
    assert table["unit"].is_unique
    assert set(table["kind"]) <= {"abs", "rel"}
    assert (table["min_change"] > 0).all()
    assert (table["rationale"].str.len() > 20).all()


def test_every_documented_unit_has_a_threshold():
    assert set(thresholds()["unit"]) >= CATALOG_UNITS


def test_every_unit_in_the_catalog_has_a_threshold():
    if not CATALOG_MEASURES.exists():
        pytest.skip("data/catalog/measures.csv is not there yet")
    used = set(pd.read_csv(CATALOG_MEASURES, dtype=str, keep_default_na=False)["unit"])
    assert used <= set(thresholds()["unit"])
