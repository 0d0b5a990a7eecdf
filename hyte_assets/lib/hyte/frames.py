"""Shared checks of the model's input frames: municipality codes, indicator list, long tables.

Bad input fails here with a message naming the frame and the rows, before any scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("process", "outcome")
POLARITIES = ("lower_better", "higher_better")
# Column kinds (pandas.api.types.infer_dtype) whose equal values are of one type, so convert equally.
_PLAIN_KINDS = ("string", "integer", "floating")


def _code(value: str | int) -> str:
    """Municipality code as the 3-character string of docs/architecture.md ("111").

    Demo placeholders of the snapshot (`Z001`…, hyte_assets.lib.regions) pass through unchanged.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("Z") and text[1:].isdigit():
        return text
    if not text.isdigit() or len(text) > 3:
        raise ValueError(f"municipality code {value!r} is not a 1–3 digit code")
    return text.zfill(3)


def _code_column(values: pd.Series) -> pd.Series:
    """``values.map(_code)``, converting each distinct value once (a code repeats in every long frame).

    Only for a column of one plain kind (strings, integers or floats), where equal values convert equally;
    anything else (``True`` beside ``1``, nullable dtypes, empty columns) takes the value-by-value map.
    """
    import numpy as np
    import pandas as pd

    plain = isinstance(values.dtype, np.dtype) and values.dtype.kind in "Oiuf"
    if not len(values) or not plain or pd.api.types.infer_dtype(values, skipna=False) not in _PLAIN_KINDS:
        return values.map(_code)
    unique = pd.unique(values).tolist()  # Python scalars, as Series.map passes them (and errors name them)
    return values.map(dict(zip(unique, map(_code, unique), strict=True)))


def _codes(municipalities: Iterable[str | int]) -> list[str]:
    codes = [_code(c) for c in municipalities]
    if not codes:
        raise ValueError("no municipalities given")
    dupes = sorted(c for c, n in Counter(codes).items() if n > 1)
    if dupes:
        raise ValueError(f"duplicate municipality codes: {dupes}")
    return codes


def _check_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    for col in ("indicator_id", "kind", "weight", "polarity"):
        if col not in indicators.columns:
            raise ValueError(f"indicators: missing column {col!r}")
    ind = indicators.copy()
    if ind["indicator_id"].duplicated().any():
        raise ValueError(
            f"indicators: duplicate ids {ind.loc[ind['indicator_id'].duplicated(), 'indicator_id'].tolist()}"
        )
    bad_kind = ind.loc[~ind["kind"].isin(KINDS), "indicator_id"].tolist()
    if bad_kind:
        raise ValueError(f"indicators: kind must be one of {KINDS}: {bad_kind}")
    bad_pol = ind.loc[~ind["polarity"].isin(POLARITIES), "indicator_id"].tolist()
    if bad_pol:
        raise ValueError(f"indicators: polarity must be one of {POLARITIES}: {bad_pol}")
    ind["weight"] = pd.to_numeric(ind["weight"], errors="raise").astype(float)
    if ind["weight"].isna().any() or (ind["weight"] <= 0).any():
        raise ValueError("indicators: every weight must be a positive number")
    if not (ind["kind"] == "outcome").any() or not (ind["kind"] == "process").any():
        raise ValueError("indicators: need at least one process and one outcome indicator")
    return ind.reset_index(drop=True)


def _check_long(df: pd.DataFrame, columns: list[str], label: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{label}: missing columns {missing}")
    out = df[columns].copy()
    out["municipality_code"] = _code_column(out["municipality_code"])
    return out


def _check_known(df: pd.DataFrame, codes: list[str], indicator_ids: list[str], label: str) -> None:
    unknown_ind = sorted(set(df["indicator_id"]) - set(indicator_ids))
    if unknown_ind:
        raise ValueError(
            f"{label}: indicator ids not in the indicator list (or of the wrong kind): {unknown_ind}"
        )
    unknown_mun = sorted(set(df["municipality_code"]) - set(codes))
    if unknown_mun:
        raise ValueError(f"{label}: municipalities not in the municipality list: {unknown_mun}")


def _check_unique(df: pd.DataFrame, keys: list[str], label: str) -> None:
    dupes = df[df.duplicated(keys, keep=False)]
    if len(dupes):
        raise ValueError(
            f"{label}: duplicate rows for {dupes[keys].drop_duplicates().to_dict('records')[:5]}"
        )
