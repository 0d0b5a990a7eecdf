"""Print where a refresh left its outputs (the end of `make run`)."""

import os
from pathlib import Path

from hyte_assets.defs.resources import DATA_DIR, DEFAULT_DUCKDB_PATH


def main() -> None:
    warehouse = Path(os.environ.get("HYTE_DUCKDB_PATH", DEFAULT_DUCKDB_PATH))
    print("\nhyte_assets refresh finished. Outputs:")
    print(f"  DuckDB warehouse (Dagster writes): {warehouse.resolve()}")
    for label, path in (
        ("DuckDB serving file (BI tools)", warehouse.parent / "reports.duckdb"),
        ("exports (Parquet, CSV, XLSX)", DATA_DIR / "exports"),
        ("annual welfare report (HTML)", DATA_DIR / "reports"),
    ):
        if path.exists():
            print(f"  {label}: {path.resolve()}")


if __name__ == "__main__":
    main()
