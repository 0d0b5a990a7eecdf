"""The long-form row contract shared by every source table (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

LONG_COLUMNS: dict[str, str] = {
    "measure_id": "string",
    "region_code": "string",
    "region_level": "string",
    "year": "Int64",
    "period": "string",
    "group_type": "string",
    "group_value": "string",
    "value": "Float64",
    "abs_value": "Float64",
    "sample_size": "Float64",
    "is_demo": "boolean",
    "fetched_at": "datetime64[us]",
}


def conform(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Order and type the long-form columns (plus a source's extra ones), adding missing ones as NULL."""
    import pandas as pd

    wanted = {**(extra or {}), **LONG_COLUMNS}
    out = pd.DataFrame(index=df.index)
    for column, dtype in wanted.items():
        series = df[column] if column in df.columns else pd.Series(pd.NA, index=df.index)
        if dtype.startswith("datetime"):
            out[column] = pd.to_datetime(series).astype(dtype)
        else:
            out[column] = series.astype(dtype)
    return out.reset_index(drop=True)


def read_demo_values(
    path: Path, fetched_at: pd.Timestamp, genders: tuple[str, ...] = ("total",)
) -> pd.DataFrame:
    """Demo rows written by `hyte_assets.lib.demo_data` (every row is demo by definition).

    A file with a `gender` column (the school survey's) keeps only the asked `genders`, the way
    the Sotkanet client filters `/json` rows, so the male/female rows are never counted as totals.
    """
    import pandas as pd

    if not path.exists():
        return conform(pd.DataFrame(columns=list(LONG_COLUMNS)))
    df = pd.read_csv(path, dtype={"region_code": str, "period": str, "group_value": str, "measure_id": str})
    if "gender" in df.columns:
        df = df[df["gender"].fillna("total").isin(genders)]
    return conform(df.assign(is_demo=True, fetched_at=fetched_at))
