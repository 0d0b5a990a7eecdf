"""Asset defaults, publication calendars, fetch time, region scope, long-form results and
maintained files: what every source folder uses (re-exported by `defs/sources/ingest`)."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.defs.unchanged import code_version_of
from hyte_assets.lib.demo_support import RECORDED_AT
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.longform import conform, read_demo_values
from hyte_assets.lib.warehouse import read_table

if TYPE_CHECKING:
    import pandas as pd

GROUP = "sources"
OWNERS = ["team:hyte"]
REGIONS_TABLE = "raw.sotkanet_regions"
REGIONS_KEY = dg.AssetKey(["raw", "sotkanet_regions"])
CATALOG_KEY = dg.AssetKey(["catalog", "measures"])
STATFIN_EXTRA = {"table_id": "string", "content_code": "string"}
KINDS = {"python", "duckdb"}
FIRST_YEAR = 2000
REGIONS_AND_INDICATORS = (REGIONS_TABLE, "raw.sotkanet_indicators")


class Window(NamedTuple):
    """How old a source's data may get before it is overdue, from its publication calendar.

    A window counts from the asset's last successful materialisation; `warn` comes first,
    `fail` is the point where the data is stale.
    """

    warn_days: int
    fail_days: int
    calendar: str

    def policy(self) -> dg.FreshnessPolicy:
        return dg.FreshnessPolicy.time_window(
            fail_window=dt.timedelta(days=self.fail_days), warn_window=dt.timedelta(days=self.warn_days)
        )

    def metadata(self) -> dict[str, str]:
        return {"publication_calendar": self.calendar}


MONTHLY = Window(35, 45, "monthly employment review, published about 3-4 weeks after the month")
ANNUAL = Window(370, 400, "annual statistics, published once a year")
KTK = Window(760, 800, "school health survey, every second (odd) year, results in the autumn")
TEA = Window(400, 760, "TEAviisari rounds every year, each sector every second year")
DELIVERY = Window(370, 400, "city deliveries, at least once a year for the annual report")


# source_asset takes the same keyword parameters as source_attributes and passes them on:
# alike in shape by design (one for multi-asset specs, one decorator for single assets).
def source_attributes(
    table: str,
    source: str,
    window: Window,
    *,
    deps: Sequence[object] = (),
    kinds: set[str] | None = None,
) -> dict[str, Any]:
    """What every source asset (or spec) says about itself: its key is the table's path, the
    shared group and owners, the source tag, and the freshness window of its calendar."""
    return {
        "key": dg.AssetKey(table.split(".")),
        "group_name": GROUP,
        "owners": OWNERS,
        "kinds": kinds or KINDS,
        "deps": list(deps),
        "tags": {"source": source},
        "freshness_policy": window.policy(),
        "metadata": window.metadata(),
    }


def source_asset(
    table: str,
    source: str,
    window: Window,
    *,
    deps: Sequence[object] = (),
    kinds: set[str] | None = None,
    **extra: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """`@dg.asset` for a source asset that writes `table`; its `code_version` is the fingerprint of
    the defining module and the parsing code it uses (`unchanged.code_version_of`)."""

    def decorate(fn: Callable[..., Any]) -> dg.AssetsDefinition:
        attributes = source_attributes(table, source, window, deps=deps, kinds=kinds)
        return dg.asset(**attributes, code_version=code_version_of(fn.__module__), **extra)(fn)

    return decorate


def fetch_time(settings: PipelineSettings) -> "pd.Timestamp":
    """When the data was fetched: now in live mode, the recording time of the snapshot otherwise."""
    import pandas as pd

    return pd.Timestamp.now().floor("s") if settings.live else pd.Timestamp(RECORDED_AT)


def changed_metadata(changed: bool, versions: dict[str, str]) -> dict[str, object]:
    return {"rewritten": changed, "content_version": next(iter(versions.values()))}


def resolve_regions_frame(regions: "pd.DataFrame", settings: PipelineSettings) -> "pd.DataFrame":
    """The regions kept by HYTE_REGION_SCOPE: the comparison set, or every municipality too."""
    code = settings.municipality_code.zfill(3)
    home = regions[(regions["region_level"] == "kunta") & (regions["region_code"] == code)]
    if home.empty:
        raise SourceError("sotkanet", f"municipality {code} is not in {REGIONS_TABLE}")
    comparison = set(home["member_of"].iloc[0]) | set(home["region_id"])
    if settings.region_scope == "all_municipalities":
        keep = regions["region_id"].isin(comparison) | (regions["region_level"] == "kunta")
    else:
        # The plan scope also keeps the municipality's own maakunta peers, for the rank column.
        keep = regions["region_id"].isin(comparison) | (
            (regions["region_level"] == "kunta") & (regions["maakunta_code"] == home["maakunta_code"].iloc[0])
        )
    return regions[keep]


def scope_regions(warehouse: WarehouseResource, settings: PipelineSettings) -> "pd.DataFrame":
    with warehouse.connect() as con:
        return resolve_regions_frame(read_table(con, REGIONS_TABLE), settings)


def demo_rows(settings: PipelineSettings, source: str, regions: "pd.DataFrame") -> "pd.DataFrame":
    """Snapshot-mode demo rows for measures without a cited source id (never in live mode)."""
    import pandas as pd

    if settings.live:
        return conform(pd.DataFrame())
    rows = read_demo_values(
        settings.data_path / "snapshots" / source / "demo_values.csv", fetch_time(settings)
    )
    return rows[rows["region_code"].isin(set(regions["region_code"]))]


def values_result(
    frame: "pd.DataFrame", changed: bool, versions: dict[str, str], stats: dict[str, object]
) -> dg.MaterializeResult:
    """The result of a long-form values asset: coverage, demo share and what changed."""
    from hyte_assets.defs.metadata import table_metadata

    years = frame["year"].dropna()
    return dg.MaterializeResult(
        metadata={
            **table_metadata(
                frame, ["measure_id", "region_code", "period", "group_value", "value", "is_demo"]
            ),
            **changed_metadata(changed, versions),
            **stats,
            "measures": int(frame["measure_id"].nunique()),
            "years_covered": f"{int(years.min())}–{int(years.max())}" if len(years) else "none",
            "demo_rows": int(frame["is_demo"].sum()),
            "real_rows": int((~frame["is_demo"]).sum()),
        },
        data_version=dg.DataVersion(next(iter(versions.values()))),
    )


def read_maintained(
    settings: PipelineSettings, relative: str, required: list[str], source: str = "teaviisari"
) -> "pd.DataFrame":
    """A file that a person keeps up to date (data/snapshots/<relative>), its columns checked."""
    import pandas as pd

    path = settings.data_path / "snapshots" / relative
    if not path.exists():
        raise SourceError(source, "maintained file is missing", file=str(path))
    try:
        df = pd.read_csv(path, dtype={"municipality_code": str}, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceError(source, f"not a UTF-8 CSV file: {exc}", file=str(path)) from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceError(source, f"missing columns {missing}; found {list(df.columns)}", file=str(path))
    return df
