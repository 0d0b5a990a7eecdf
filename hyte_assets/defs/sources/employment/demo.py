"""Demo data of the monthly employment review (tyonv/12r5): the recorded PxWeb answer, figures
consistent with each other per area and month, and demo rows for employment measures without a
cited table."""

from __future__ import annotations

from hyte_assets.lib.demo_support import (
    DemoInputs,
    ValueModel,
    count_scale,
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
        lambda region, months: employment_series(inputs.model, region, months),
        monthly=True,
    )
    return {"employment_cells": cells, **counts}


def employment_series(model: ValueModel, region: Region, months: list[str]) -> dict[str, dict[str, float]]:
    """The monthly review's figures for one area, consistent with each other.

    The rate and the labour force are random walks; the unemployed follow from them, and the
    long-term, under-25 and foreign-national unemployed are shares of the unemployed, so a demo
    month never has more long-term unemployed than unemployed. Real cited cells override.
    """
    table = "tyonv/12r5"

    def walk(code: str, unit: str, scale: float = 1.0, volatility: float = 0.015) -> dict[str, float]:
        return model.series(
            f"{table}:{code}",
            f"statfin:{table}:{code}",
            unit,
            region.region_code,
            "total",
            months,
            scale=scale,
            volatility=volatility,
        )

    rate = walk("TYOTOSUUS", "percent")
    labour = walk("TYOVOIMATK", "count", 300 * count_scale("count", region), volatility=0.002)
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
