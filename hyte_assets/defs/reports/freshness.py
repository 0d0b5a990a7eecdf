"""How old each source's data may get before it is overdue, from the source's publication calendar.

Applied to the asset specs in `hyte_assets/definitions.py` (a mapping over the loaded definitions),
so the UI shows each source as fresh, warning or overdue. A window counts from the asset's last
successful materialisation; `warn` comes first, `fail` is the point where the data is stale.
"""

import datetime as dt
from typing import NamedTuple

import dagster as dg


class Window(NamedTuple):
    warn_days: int
    fail_days: int
    calendar: str


MONTHLY = Window(35, 45, "monthly employment review, published about 3-4 weeks after the month")
ANNUAL = Window(370, 400, "annual statistics, published once a year")
KTK = Window(760, 800, "school health survey, every second (odd) year, results in the autumn")
TEA = Window(400, 760, "TEAviisari rounds every year, each sector every second year")
DELIVERY = Window(370, 400, "city deliveries, at least once a year for the annual report")

SOURCE_FRESHNESS: dict[str, Window] = {
    "employment_monthly": MONTHLY,
    "employment_values": MONTHLY,
    "sotkanet_regions": ANNUAL,
    "sotkanet_indicators": ANNUAL,
    "sotkanet_indicator_resolution": ANNUAL,
    "sotkanet_values": ANNUAL,
    "statfin_values": ANNUAL,
    "population": ANNUAL,
    "hyte_outcome_values": ANNUAL,
    "kouluterveyskysely_values": KTK,
    "teaviisari_values": TEA,
    "hyte_process_answers": TEA,
    "local_deliveries": DELIVERY,
}


def policy(window: Window) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(
        fail_window=dt.timedelta(days=window.fail_days), warn_window=dt.timedelta(days=window.warn_days)
    )


def with_freshness(defs: dg.Definitions) -> dg.Definitions:
    """The definitions with a freshness policy on every source asset named in SOURCE_FRESHNESS."""

    def attach(spec: dg.AssetSpec) -> dg.AssetSpec:
        window = SOURCE_FRESHNESS.get(spec.key.to_user_string())
        if window is None:
            return spec
        return spec.replace_attributes(
            freshness_policy=policy(window),
            metadata={**spec.metadata, "publication_calendar": window.calendar},
        )

    # Each asset object once: a module that imports another module's asset (statfin.py imports
    # `sotkanet_regions` for its deps) hands the loader the same object twice, which Dagster accepts
    # as one asset, but two mapped copies would be a duplicate key.
    unique = list({id(a): a for a in defs.assets or []}.values())
    mappable = [a for a in unique if isinstance(a, dg.AssetsDefinition | dg.AssetSpec)]
    others = [a for a in unique if not isinstance(a, dg.AssetsDefinition | dg.AssetSpec)]
    return dg.Definitions(
        assets=[*dg.map_asset_specs(attach, mappable), *others],
        schedules=defs.schedules,
        sensors=defs.sensors,
        jobs=defs.jobs,
        resources=defs.resources,
        executor=defs.executor,
        loggers=defs.loggers,
        asset_checks=defs.asset_checks,
        metadata=defs.metadata,
        component_tree=defs.component_tree,
    )
