"""Sotkanet `/json` rows: checked column by column, with a per-row path that names a bad row.

Why two paths: an answer at real scale has ~11 000 rows; checking them one Python call per row
cost 19–50 ms per answer (load-dependent) under the interpreter lock, which
`SotkanetClient.data_many`'s threads cannot overlap (`make bench`, figure 6); the column checks
take ~6–7 ms, most of it building the returned dicts. The column checks are the per-row
checks applied to whole columns; when any fails, the per-row path runs over the same answer and
raises the message that names the first bad row, its column and the problem, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.sotkanet_titles import GENDERS

# fail(problem, row=..., column=...) -> the SourceError to raise (it adds source, item and URL)
Fail = Callable[..., SourceError]

_ROW_KEYS = ("indicator", "region", "year", "gender", "value")
_NUMBER_TYPES = frozenset({int, float, type(None)})
_GENDER_SET = frozenset(GENDERS)


class SotkanetRow(TypedDict):
    """One `/json` row; `abs_value` is None when the API omits `absValue`."""

    indicator: int
    region: int
    year: int
    gender: str
    value: float | None
    abs_value: float | None


def parse_rows(
    data: list[Any], indicator_id: int, years: set[int], genders: set[str], fail: Fail
) -> list[SotkanetRow]:
    """Every row checked (also rows outside `years`/`genders`), then the asked ones kept."""
    rows = _column_rows(data, indicator_id, years, genders)
    if rows is not None:
        return rows
    checked = [check_row(raw, indicator_id, index, fail) for index, raw in enumerate(data)]
    return [r for r in checked if r["year"] in years and r["gender"] in genders]


def _column_rows(
    data: list[Any], indicator_id: int, years: set[int], genders: set[str]
) -> list[SotkanetRow] | None:
    """The kept rows, or None when any row fails a check (exact JSON types: bool is no int)."""
    if not data:
        return []
    try:
        if set(map(type, data)) != {dict}:
            return None
        # one list per column, no object per row: with data_many's answers kept alive, every
        # per-row allocation also costs garbage-collector passes over all of them
        indicator, region, year, gender, value = ([row[key] for row in data] for key in _ROW_KEYS)
        abs_value = [row.get("absValue") for row in data]
        if set(indicator) != {indicator_id} or not set(gender) <= _GENDER_SET:
            return None
    except (KeyError, TypeError):  # a missing key, or an unhashable indicator or gender
        return None
    if set(map(type, region)) != {int} or set(map(type, year)) != {int}:
        return None
    value, abs_value = _floats(value), _floats(abs_value)
    if value is None or abs_value is None:
        return None
    # Dict literals: calling the TypedDict once per row would double the cost of this step.
    return [
        {"indicator": indicator_id, "region": r, "year": y, "gender": g, "value": v, "abs_value": a}
        for r, y, g, v, a in zip(region, year, gender, value, abs_value, strict=True)
        if y in years and g in genders
    ]


def _floats(column: list[Any]) -> list[Any] | None:
    """A JSON number column as floats (None kept), or None if it holds anything else."""
    types = set(map(type, column))
    if not types <= _NUMBER_TYPES:
        return None
    if int not in types:  # floats and None only: nothing to convert
        return column
    return [None if v is None else float(v) for v in column]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_row(raw: Any, indicator_id: int, index: int, fail: Fail) -> SotkanetRow:
    """One row, or the error naming its index, column and problem (the slow, exact path)."""
    if not isinstance(raw, Mapping):
        raise fail("data row is not an object", row=index)
    for key in _ROW_KEYS:
        if key not in raw:
            raise fail(f"missing key {key!r} in data row", row=index, column=key)
    if raw["indicator"] != indicator_id:
        raise fail(
            f"wrong indicator in rows: asked for {indicator_id}, row has {raw['indicator']!r}",
            row=index,
            column="indicator",
        )
    for key in ("region", "year"):
        if not _is_int(raw[key]):
            raise fail(f"{key} must be an integer, got {raw[key]!r}", row=index, column=key)
    if raw["gender"] not in GENDERS:
        raise fail(f"unknown gender {raw['gender']!r}", row=index, column="gender")
    for key in ("value", "absValue"):
        if raw.get(key) is not None and not _is_number(raw[key]):
            raise fail(f"{key} must be a number, got {raw[key]!r}", row=index, column=key)
    abs_value = raw.get("absValue")
    return SotkanetRow(
        indicator=indicator_id,
        region=raw["region"],
        year=raw["year"],
        gender=raw["gender"],
        value=None if raw["value"] is None else float(raw["value"]),
        abs_value=None if abs_value is None else float(abs_value),
    )
