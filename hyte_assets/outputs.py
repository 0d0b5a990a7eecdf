"""Print where a refresh left its outputs (the end of `make run`)."""

import os
from pathlib import Path

from hyte_assets.defs.resources import DATA_DIR, DEFAULT_DUCKDB_PATH
from hyte_assets.lib.exports import export_dir
from hyte_assets.lib.publish import serving_path


def main() -> None:
    warehouse = Path(os.environ.get("HYTE_DUCKDB_PATH", DEFAULT_DUCKDB_PATH))
    print("\nhyte_assets refresh finished. Outputs:")
    print(f"  DuckDB warehouse (Dagster writes): {warehouse.resolve()}")
    data_dir = Path(os.environ.get("HYTE_DATA_DIR", DATA_DIR))
    for label, path in (
        ("DuckDB serving file (BI tools, read-only)", serving_path(warehouse)),
        ("exports (Parquet, CSV, XLSX)", export_dir(data_dir / "exports")),
        ("annual welfare report (HTML)", data_dir / "reports"),
    ):
        if path.exists():
            print(f"  {label}: {path.resolve()}")


if __name__ == "__main__":
    main()
