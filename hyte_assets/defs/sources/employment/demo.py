"""Demo data of the monthly employment review (tyonv/12r5): the recorded PxWeb answer, figures
consistent with each other per area and month, and demo rows for employment measures without a
cited table.

Scale: the labour force is about 42 % of the area's real population (Heinola: 17,694 residents,
about 7,400 in the labour force, so the real 1,125 unemployed of 2026-06 are 15 %); the rate
starts in the demo_anchors.csv band (Heinola 15.4–17.5 %, the country 12.8 %). Months run to
the last one published before the recording (DEFAULT_SCOPE)."""

from __future__ import annotations

from hyte_assets.lib.demo_support import (
    DemoInputs,
    ValueModel,
    generic_demo_values,
    seeded_rng,
    statfin_refs,
    write_pxweb_table,
)
from hyte_assets.lib.pxweb import EMPLOYMENT_CODES, EMPLOYMENT_TABLE
from hyte_assets.lib.regions import Region


def generate(inputs: DemoInputs) -> dict[str, int]:
    counts = generic_demo_values(inputs, "employment")
    cited = statfin_refs(inputs, "statfin", "employment")
    if EMPLOYMENT_TABLE not in cited:
        return counts
    codes = sorted(set(cited[EMPLOYMENT_TABLE]) | set(EMPLOYMENT_CODES))
    cells = write_pxweb_table(
        inputs,
        EMPLOYMENT_TABLE,
        codes,
        lambda region, months: employment_series(inputs, region, months),
        monthly=True,
    )
    return {"employment_cells": cells, **counts}


def employment_series(inputs: DemoInputs, region: Region, months: list[str]) -> dict[str, dict[str, float]]:
    """The monthly review's figures for one area, consistent with each other.

    The rate and the labour force are random walks; the unemployed follow from them, and the
    long-term, under-25 and foreign-national unemployed are shares of the unemployed, so a demo
    month never has more long-term unemployed than unemployed. Real cited cells override.
    """
    table = "tyonv/12r5"
    model: ValueModel = inputs.model

    def walk(code: str, unit: str, level: float | None = None, volatility: float = 0.015) -> dict[str, float]:
        return model.series(
            f"{table}:{code}",
            f"statfin:{table}:{code}",
            unit,
            region.region_code,
            "total",
            months,
            volatility=volatility,
            level=level,
        )

    rate = walk("TYOTOSUUS", "percent")
    # The labour force as a share of the population (about 42 % in Heinola, 47 % nationally).
    population = inputs.scale.population_of(region) if inputs.scale else 17_694
    share = seeded_rng("labour-share", region.region_code).uniform(0.41, 0.47)
    labour = walk("TYOVOIMATK", "count", population * share, volatility=0.002)
    rng = seeded_rng("employment-shares", region.region_code)
    shares = {
        "PITKAAIKAISTYOTTOMAT": rng.uniform(0.3, 0.45),
        "TYOTTOMAT25": rng.uniform(0.09, 0.14),
        "TYOTTOMATULK": rng.uniform(0.04, 0.1),
    }
    # Where a month has real figures for both, the share is the real one (Heinola 2026-06: 534/1125).
    for code in shares:
        for month in sorted(months, reverse=True):
            key = (region.region_code, month, "total")
            part = model.anchors.get((f"statfin:{table}:{code}", *key))
            whole = model.anchors.get((f"statfin:{table}:TYOTTOMATLOPUSSA", *key))
            if part is not None and whole:
                shares[code] = part / whole
                break
    unemployed = {m: round(rate[m] / 100 * labour[m]) for m in months}
    out = {"TYOTOSUUS": rate, "TYOVOIMATK": labour, "TYOTTOMATLOPUSSA": unemployed}
    out.update({code: {m: round(unemployed[m] * share) for m in months} for code, share in shares.items()})
    for code, series in out.items():
        for month in months:
            real = model.anchors.get((f"statfin:{table}:{code}", region.region_code, month, "total"))
            if real is not None:
                series[month] = real
    return out
