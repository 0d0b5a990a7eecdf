"""Settings and clients, each a ConfigurableResource read from environment variables.

Every setting has a default that runs offline on the shipped snapshot; see the README's
configuration table. `dg.EnvVar` is resolved at run time, so a deployment changes behaviour
by environment alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import dagster as dg
import duckdb

from hyte_assets.lib import warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DUCKDB_PATH = DATA_DIR / "warehouse" / "hyte.duckdb"


def env(name: str, default: str) -> str | dg.EnvVar:
    """Use the environment variable when it is set, the default otherwise.

    `dg.EnvVar` fails a run when the variable is unset, which would break the zero-config
    default run; this keeps the variable visible in the UI when it is set.
    """
    import os

    return dg.EnvVar(name) if os.environ.get(name) else default


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB working file that Dagster writes (BI tools read the published copy)."""

    database: str = str(DEFAULT_DUCKDB_PATH)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.database, read_only=read_only) as con:
            yield con


class PipelineSettings(dg.ConfigurableResource):
    """Run-wide settings: where data comes from and whose welfare we report."""

    source_mode: Literal["snapshot", "live"] = "snapshot"
    municipality_code: str = "111"
    region_scope: Literal["plan", "all_municipalities"] = "plan"
    data_dir: str = str(DATA_DIR)

    @property
    def live(self) -> bool:
        return self.source_mode == "live"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


def default_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(database=env("HYTE_DUCKDB_PATH", str(DEFAULT_DUCKDB_PATH))),
        "settings": PipelineSettings(
            source_mode=env("HYTE_SOURCE_MODE", "snapshot"),
            municipality_code=env("HYTE_MUNICIPALITY_CODE", "111"),
            region_scope=env("HYTE_REGION_SCOPE", "plan"),
            data_dir=env("HYTE_DATA_DIR", str(DATA_DIR)),
        ),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=default_resources())
