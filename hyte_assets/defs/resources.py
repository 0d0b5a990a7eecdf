"""Settings and clients, each a ConfigurableResource read from environment variables.

Every setting has a default that runs offline on the shipped snapshot; see the README's
configuration table. `dg.EnvVar` is resolved at run time, so a deployment changes behaviour
by environment alone.
"""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr, field_validator

from hyte_assets.lib import preflight, run_lock, warehouse
from hyte_assets.lib.http import RetryingHttp, SnapshotTransport, Transport
from hyte_assets.lib.pxweb import PxWebClient
from hyte_assets.lib.sotkanet import SotkanetClient
from hyte_assets.lib.thl_cube import ThlCubeClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DUCKDB_PATH = DATA_DIR / "warehouse" / "hyte.duckdb"
# Each setting's environment variable and its default, for `preflight.from_environment` (`make run`,
# and a sensor that should skip while the settings are bad).
SETTING_DEFAULTS = {
    "HYTE_SOURCE_MODE": "snapshot",
    "HYTE_REGION_SCOPE": "plan",
    "HYTE_DATA_DIR": str(DATA_DIR),
    "HYTE_DUCKDB_PATH": str(DEFAULT_DUCKDB_PATH),
    "HYTE_MUNICIPALITY_CODE": "111",
    "HYTE_PAYMENT_YEAR": "2026",
    "HYTE_ASSUMPTION_SET": "default",
}


def env(name: str, default: str) -> str | dg.EnvVar:
    """Use the environment variable when it is set, the default otherwise.

    `dg.EnvVar` fails a run when the variable is unset, which would break the zero-config
    default run; this keeps the variable visible in the UI when it is set.
    """
    return dg.EnvVar(name) if os.environ.get(name) else default


class WarehouseResource(DuckDBResource):
    """The DuckDB working file that Dagster writes (BI tools read the published copy).

    Built on `dagster_duckdb.DuckDBResource` (so `get_connection()` works as documented there)
    and adds what it lacks: read-only connections for readers, a bounded lock wait whose error
    names the process holding the file (instead of ~100 s of silent backoff), and the run lock
    (`lib/run_lock.py`): the first write connection of a run takes it and the run keeps it until
    its resources are torn down, so two refreshes of one warehouse never interleave. A run that
    fails puts back the `meta.settings` row it found (`meta.settings` changes only with a
    successful run).
    """

    database: str = str(DEFAULT_DUCKDB_PATH)
    lock_timeout_s: float = 30.0
    # None: HYTE_RUN_LOCK_TIMEOUT_S, else 600 s (read when a run takes the lock).
    run_lock_timeout_s: float | None = None
    _run_lock: ExitStack | None = PrivateAttr(default=None)
    _settings_before: object = PrivateAttr(default=None)
    _context: dg.InitResourceContext | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.dagster_run is None:
            return  # a sensor's resources: it only reads, and must work even when a run cannot
        self._context = context
        problem = preflight.duckdb_path_problem(self.database)
        if problem:
            raise preflight.PreflightError([problem])

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            if self._run_lock is not None and _run_failed(context):
                with warehouse.connect(self.database, lock_timeout_s=self.lock_timeout_s) as con:
                    if warehouse.restore_settings(con, self._settings_before):  # type: ignore[arg-type]
                        context.log.warning("run failed: meta.settings put back as it was before the run")
        finally:
            if self._run_lock is not None:
                self._run_lock.close()
                self._run_lock = None

    def _hold_run_lock(self) -> None:
        if self._run_lock is not None or self._context is None:
            return  # already held, or not inside a run (a sensor, a direct call)
        stack = ExitStack()
        log = self._context.log
        run_id = self._context.run_id or ""
        stack.enter_context(
            run_lock.hold(
                self.database,
                purpose=f"dagster run {run_id}",
                timeout_s=self.run_lock_timeout_s,
                on_wait=log.warning if log else None,
            )
        )
        # While the run holds the lock, the file stays open: each connect() is then a cursor.
        stack.enter_context(warehouse.held_open(self.database, lock_timeout_s=self.lock_timeout_s))
        self._run_lock = stack
        with warehouse.connect(self.database, read_only=False, lock_timeout_s=self.lock_timeout_s) as con:
            self._settings_before = warehouse.read_settings(con)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if not read_only:
            self._hold_run_lock()
        with warehouse.connect(
            self.database,
            read_only=read_only,
            lock_timeout_s=self.lock_timeout_s,
            config=self.connection_config,
        ) as con:
            yield con

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:  # type: ignore[override]
        """`DuckDBResource`'s API, with this resource's bounded wait and run lock."""
        with self.connect() as con:
            yield con


def _run_failed(context: dg.InitResourceContext) -> bool:
    """True when a step of this run failed (teardown runs before the run's own failure event)."""
    if context.instance is None or not context.run_id:
        return False
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=1
    )
    return bool(records.records)


class PipelineSettings(dg.ConfigurableResource):
    """Run-wide settings: where data comes from and whose welfare we report."""

    source_mode: str = "snapshot"  # snapshot | live
    municipality_code: str = "111"
    region_scope: str = "plan"  # plan | all_municipalities
    data_dir: str = str(DATA_DIR)
    # The hyte-kerroin view: which payment year to reproduce and with which named assumptions.
    hyte_payment_year: int = 2026
    hyte_assumption_set: str = "default"

    @field_validator("municipality_code")
    @classmethod
    def _three_digits(cls, value: str) -> str:
        """'98' → '098' once the value is known, so every reader and `meta.settings` agree.

        An `EnvVar` is left alone here (it is resolved when a run starts, and this runs again
        then); a value that is not digits is left for `setup_for_execution` to reject.
        """
        if isinstance(value, dg.EnvVar) or not str(value).strip().isdigit():
            return value
        return str(value).strip().zfill(3)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Preflight (`lib/preflight.py`): one message naming each bad variable, before any step.

        Runs only in a run: a sensor (the run-failure note) must still work with bad settings.
        """
        if context.dagster_run is not None:
            self.checked()

    def checked(self) -> preflight.Settings:
        return preflight.check(
            {
                "HYTE_SOURCE_MODE": self.source_mode,
                "HYTE_REGION_SCOPE": self.region_scope,
                "HYTE_DATA_DIR": self.data_dir,
                "HYTE_MUNICIPALITY_CODE": self.municipality_code,
                "HYTE_PAYMENT_YEAR": self.hyte_payment_year,
                "HYTE_ASSUMPTION_SET": self.hyte_assumption_set,
            }
        )

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
        # Alike in shape to StatFinResource.client: each passes its own settings to _transport,
        # which is the shared part, and builds its own protocol client.
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


WAREHOUSE_TAG = "hyte/warehouse"


def warehouse_tags() -> dict[str, str]:
    """The run tag that names the warehouse a run writes.

    Every job and schedule that writes the warehouse carries it; the queued run coordinator
    (`deploy/dagster.yaml`, `hyte_assets/dagster.yaml`) runs at most one run per tag value, so
    daemon-launched refreshes of one warehouse queue instead of interleaving.
    """
    path = Path(os.environ.get("HYTE_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH).expanduser().resolve()
    return {WAREHOUSE_TAG: str(path)}


def default_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(database=env("HYTE_DUCKDB_PATH", str(DEFAULT_DUCKDB_PATH))),
        "settings": PipelineSettings(
            source_mode=env("HYTE_SOURCE_MODE", "snapshot"),
            municipality_code=env("HYTE_MUNICIPALITY_CODE", "111"),
            region_scope=env("HYTE_REGION_SCOPE", "plan"),
            data_dir=env("HYTE_DATA_DIR", str(DATA_DIR)),
            hyte_payment_year=dg.EnvVar.int("HYTE_PAYMENT_YEAR")
            if os.environ.get("HYTE_PAYMENT_YEAR")
            else 2026,
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
