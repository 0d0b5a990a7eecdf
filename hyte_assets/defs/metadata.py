"""Materialisation metadata that every asset shows in the UI: row count, schema, preview."""

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    import pandas as pd

PREVIEW_ROWS = 10


def column_schema(df: "pd.DataFrame") -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(str(c), str(t)) for c, t in df.dtypes.items()])


def preview(
    df: "pd.DataFrame", columns: list[str] | None = None, rows: int = PREVIEW_ROWS
) -> dg.MetadataValue:
    shown = df[columns] if columns else df
    return dg.MetadataValue.md(shown.head(rows).to_markdown(index=False) if len(shown) else "_(no rows)_")


def table_metadata(df: "pd.DataFrame", preview_columns: list[str] | None = None) -> dict[str, object]:
    return {
        "dagster/row_count": len(df),
        "dagster/column_schema": column_schema(df),
        "preview": preview(df, preview_columns),
    }
