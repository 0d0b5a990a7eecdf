"""Demo data of StatFin: the recorded PxWeb answers (metadata and JSON-stat 2) of every annual
table the catalog cites, and of the population table, plus demo rows for statfin measures without
a cited table."""

from __future__ import annotations

from hyte_assets.lib.demo_support import (
    DemoInputs,
    count_scale,
    generic_demo_values,
    statfin_refs,
    write_json,
    write_pxweb_table,
)
from hyte_assets.lib.pxweb import EMPLOYMENT_TABLE

POPULATION = ("vaerak/11re", "vaerak-vaesto")


def generate(inputs: DemoInputs) -> dict[str, int]:
    write_json(
        inputs.out / "statfin" / "config.json",
        {"maxValues": 120000, "maxCells": 120000, "maxCalls": 40, "timeWindow": 60, "CORS": True},
    )
    wanted = {POPULATION[0]: {POPULATION[1]: "count"}}
    for table, units in statfin_refs(inputs, "statfin", "employment").items():
        wanted.setdefault(table, {}).update(units)
    cells = 0
    for table, units in sorted(wanted.items()):
        if table == EMPLOYMENT_TABLE:  # the monthly review: defs/sources/employment/demo.py
            continue
        codes = sorted(units)

        def annual(region, periods, table=table, codes=codes, units=units):  # noqa: ANN001, ANN202
            return {
                code: inputs.model.series(
                    f"{table}:{code}",
                    f"statfin:{table}:{code}",
                    units[code],
                    region.region_code,
                    "total",
                    periods,
                    scale=count_scale(units[code], region) * (300 if code == POPULATION[1] else 1),
                )
                for code in codes
            }

        cells += write_pxweb_table(inputs, table, codes, annual)
    return {"statfin_cells": cells, **generic_demo_values(inputs, "statfin")}
