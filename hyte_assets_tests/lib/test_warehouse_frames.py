"""`warehouse.array_columns`, the fast path of frame fingerprints and of the write guard's verdict
cache: the same columns as looking at every cell, for every kind of object column."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest

from hyte_assets.lib.warehouse import array_columns, frame_fingerprint

CELLS = {
    "text": ["kunta:111", None, "maakunta:07"],
    "lists": [["07", "SSS"], None, []],
    "arrays": [np.array(["07"]), None, np.array([], dtype=object)],
    "one_list_among_text": ["a", "b", ["c"]],
    "one_list_among_numbers": [1, 2.5, [3]],
    "ints_and_text": [1, "x", None],
    "dates": [dt.date(2025, 1, 1), None, dt.date(2026, 1, 1)],
    "decimals": [decimal.Decimal("1.5"), None, decimal.Decimal("2")],
    "booleans": [True, None, False],
    "bytes": [b"a", b"b", None],
    "nothing": [None, None, None],
}


def every_cell(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].map(lambda v: isinstance(v, list | np.ndarray)).any()]


@pytest.mark.parametrize("column", list(CELLS))
def test_array_columns_equals_looking_at_every_cell(column: str) -> None:
    df = pd.DataFrame({column: pd.Series(CELLS[column], dtype=object), "number": [1.0, 2.0, 3.0]})
    assert array_columns(df) == every_cell(df)


def test_list_cells_fingerprint_by_content() -> None:
    first = pd.DataFrame({"member_of": [["07", "SSS"], ["07"]], "region_code": ["111", "098"]})
    same = pd.DataFrame({"member_of": [["07", "SSS"], ["07"]], "region_code": ["111", "098"]})
    other = pd.DataFrame({"member_of": [["07", "SSS"], ["08"]], "region_code": ["111", "098"]})
    assert frame_fingerprint(first) == frame_fingerprint(same) != frame_fingerprint(other)
