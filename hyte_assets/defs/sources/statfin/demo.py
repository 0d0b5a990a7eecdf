"""Demo data of StatFin: the recorded PxWeb answers (metadata and JSON-stat 2) of every annual
table the catalog cites, and of the population table, plus demo rows for statfin measures without
a cited table.

The population table (vaerak/11re) holds every municipality, its maakunta and the whole country:
31.12.2025 is the real figure from `data/regions/regions-fi.csv` (StatFin 11re, final), which the
population asset marks `is_demo = false`; earlier years are a smooth demo series ending at it
(lib/demo_scale.population_series). The other tables are demo values except the cells that
`real_values.csv` lists.
"""

from __future__ import annotations

from hyte_assets.lib.demo_scale import population_series
from hyte_assets.lib.demo_support import (
    DemoInputs,
    generic_demo_values,
    statfin_refs,
    write_json,
    write_pxweb_table,
)
from hyte_assets.lib.pxweb import EMPLOYMENT_TABLE

POPULATION = ("vaerak/11re", "vaerak-vaesto")
# Cited older population figures a series runs through: Sotkanet 127 (Väkiluku) in demo_anchors.csv.
POPULATION_ITEM = "sotkanet:127"


def generate(inputs: DemoInputs) -> dict[str, int]:
    write_json(
        inputs.out / "statfin" / "config.json",
        {"maxValues": 120000, "maxCells": 120000, "maxCalls": 40, "timeWindow": 60, "CORS": True},
    )
    wanted = {POPULATION[0]: {POPULATION[1]: "count"}}
    for table, units in statfin_refs(inputs, "statfin", "employment").items():
        wanted.setdefault(table, {}).update(units)
    populations = population_by_region(inputs)
    cells = 0
    for table, units in sorted(wanted.items()):
        if table == EMPLOYMENT_TABLE:  # the monthly review: defs/sources/employment/demo.py
            continue
        codes = sorted(units)

        def annual(region, periods, table=table, codes=codes, units=units):  # noqa: ANN001, ANN202
            out = {}
            for code in codes:
                if (table, code) == POPULATION:
                    years = populations[(region.level, region.region_code)]
                    out[code] = {p: float(years[int(p)]) for p in periods}
                    continue
                out[code] = inputs.model.series(
                    f"{table}:{code}",
                    f"statfin:{table}:{code}",
                    units[code],
                    region.region_code,
                    "total",
                    periods,
                    scale=inputs.count_scale(units[code], region),
                )
            return out

        cells += write_pxweb_table(inputs, table, codes, annual)
    return {"statfin_cells": cells, **generic_demo_values(inputs, "statfin")}


def population_by_region(inputs: DemoInputs) -> dict[tuple[str, str], dict[int, int]]:
    """Year-end population of every region in the scope's years (real in 2025), running through
    the cited older figures (demo_anchors.csv, e.g. Heinola 2009: 20,374, Sotkanet 127)."""
    if inputs.scale is None:
        raise ValueError("the population demo needs the region table (DemoInputs.scale)")
    levels = inputs.model.levels
    cited = levels.observed_points(POPULATION_ITEM) if levels else {}
    return population_series(inputs.scale, list(inputs.scope.years), cited)
