"""Settings and clients, each a ConfigurableResource read from environment variables.

Every setting has a default that runs offline on the shipped snapshot; see the README's
configuration table. `dg.EnvVar` is resolved at run time, so a deployment changes behaviour
by environment alone.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from hyte_assets.lib import warehouse
from hyte_assets.lib.http import RetryingHttp, SnapshotTransport, Transport
from hyte_assets.lib.pxweb import PxWebClient
from hyte_assets.lib.sotkanet import SotkanetClient
from hyte_assets.lib.thl_cube import ThlCubeClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DUCKDB_PATH = DATA_DIR / "warehouse" / "hyte.duckdb"


def env(name: str, default: str) -> str | dg.EnvVar:
    """Use the environment variable when it is set, the default otherwise.

    `dg.EnvVar` fails a run when the variable is unset, which would break the zero-config
    default run; this keeps the variable visible in the UI when it is set.
    """
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

    source_mode: str = "snapshot"  # snapshot | live
    municipality_code: str = "111"
    region_scope: str = "plan"  # plan | all_municipalities
    data_dir: str = str(DATA_DIR)
    # The hyte-kerroin view: which payment year to reproduce and with which named assumptions.
    hyte_payment_year: int = 2026
    hyte_assumption_set: str = "default"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Checked here, not by type: a dg.EnvVar is only resolved when a run starts.
        for name, value, allowed in (
            ("HYTE_SOURCE_MODE", self.source_mode, ("snapshot", "live")),
            ("HYTE_REGION_SCOPE", self.region_scope, ("plan", "all_municipalities")),
        ):
            if value not in allowed:
                raise ValueError(f"{name}={value!r}; expected one of {allowed}")

    @property
    def live(self) -> bool:
        return self.source_mode == "live"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


def _transport(settings: PipelineSettings, source: str, **live: object) -> Transport:
    """Snapshot files or live HTTP: the same client parses both, so snapshot runs test the parser."""
    if not settings.live:
        return SnapshotTransport(settings.data_path / "snapshots" / source)
    return RetryingHttp(cache_dir=settings.data_path / "cache" / source, **live)  # type: ignore[arg-type]


class SotkanetResource(dg.ConfigurableResource):
    """THL Sotkanet REST 1.1: occasional, cached, conditional queries at most `max_concurrency` at once."""

    base_url: str = "https://sotkanet.fi/rest/1.1"
    max_concurrency: int = 4
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_retries: int = 4

    def client(self, settings: PipelineSettings) -> SotkanetClient:
        transport = _transport(
            settings,
            "sotkanet",
            max_concurrency=self.max_concurrency,
            timeout=(self.connect_timeout_s, self.read_timeout_s),
            max_retries=self.max_retries,
        )
        return SotkanetClient(self.base_url, transport=transport, max_concurrency=self.max_concurrency)


class StatFinResource(dg.ConfigurableResource):
    """Statistics Finland PxWeb API v1; call spacing comes from the API's `?config`."""

    base_url: str = "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin"
    fallback_min_interval_s: float = 1.5
    max_retries: int = 4

    def client(self, settings: PipelineSettings) -> PxWebClient:
        transport = _transport(
            settings,
            "statfin",
            max_concurrency=1,
            min_interval=self.fallback_min_interval_s,
            max_retries=self.max_retries,
        )
        return PxWebClient(
            self.base_url, transport=transport, fallback_min_interval=self.fallback_min_interval_s
        )


class ThlCubeResource(dg.ConfigurableResource):
    """THL's open-data cube API (JSON-stat variant), for TEAviisari cubes once one is cited."""

    base_url: str = "https://sampo.thl.fi/pivot/prod/fi"

    def client(self, settings: PipelineSettings) -> ThlCubeClient:
        return ThlCubeClient(self.base_url, transport=_transport(settings, "thl_cube", max_concurrency=2))


def default_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(database=env("HYTE_DUCKDB_PATH", str(DEFAULT_DUCKDB_PATH))),
        "settings": PipelineSettings(
            source_mode=env("HYTE_SOURCE_MODE", "snapshot"),
            municipality_code=env("HYTE_MUNICIPALITY_CODE", "111"),
            region_scope=env("HYTE_REGION_SCOPE", "plan"),
            data_dir=env("HYTE_DATA_DIR", str(DATA_DIR)),
            hyte_payment_year=int(os.environ.get("HYTE_PAYMENT_YEAR", "2026")),
            hyte_assumption_set=env("HYTE_ASSUMPTION_SET", "default"),
        ),
        "sotkanet": SotkanetResource(base_url=env("HYTE_SOTKANET_URL", "https://sotkanet.fi/rest/1.1")),
        "statfin": StatFinResource(
            base_url=env("HYTE_STATFIN_URL", "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin")
        ),
        "thl_cube": ThlCubeResource(base_url=env("HYTE_THL_CUBE_URL", "https://sampo.thl.fi/pivot/prod/fi")),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=default_resources())
