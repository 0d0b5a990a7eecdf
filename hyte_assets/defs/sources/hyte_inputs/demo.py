"""Demo data of the hyte-kerroin's outcome indicators for every municipality (a maintained file,
data/snapshots/hyte/outcome_values.csv).

Levels start in the indicator's band in demo_anchors.csv (by its Sotkanet id, e.g. 3219 9–15 %),
or 4–20 where there is none; the comparison regions' carried indicators come from the catalog's
series instead (lib/hyte/inputs.py)."""

from __future__ import annotations

from hyte_assets.lib.demo_support import DemoInputs, read_csv, seeded_rng, write_csv


def generate(inputs: DemoInputs) -> dict[str, int]:
    indicators = read_csv(inputs.data_dir / "hyte" / "indicators.csv")
    municipalities = [r for r in inputs.regions if r.level == "kunta"]
    out = inputs.out
    outcomes = []
    for ind in (i for i in indicators if i["kind"] == "outcome"):
        band = inputs.model.band("", f"sotkanet:{ind['sotkanet_id']}", "", "total")
        low, high = (band.low, band.high) if band else (4.0, 20.0)
        level = seeded_rng("hyte", ind["indicator_id"]).uniform(low, high)
        biennial = ind["indicator_id"].startswith("o1")
        years = (2021, 2023, 2025) if biennial else (2022, 2023, 2024)
        # The catalog's own series carry these for the real municipalities (lib/hyte/inputs.py).
        carried = bool(ind.get("measure_id"))
        for region in (r for r in municipalities if not (carried and inputs.in_comparison(r))):
            rng = seeded_rng("hyte", ind["indicator_id"], region.region_code)
            value = level * (1 + rng.gauss(0, 0.15))
            for year in years:
                value = max(0.1, value * (1 + rng.gauss(-0.01, 0.06)))
                outcomes.append(
                    {
                        "municipality_code": region.region_code,
                        "indicator_id": ind["indicator_id"],
                        "year": year,
                        "value": round(value, 1),
                        "is_demo": "true",
                    }
                )
    write_csv(
        out / "hyte" / "outcome_values.csv",
        outcomes,
        ["municipality_code", "indicator_id", "year", "value", "is_demo"],
    )
    return {"hyte_rows": len(outcomes)}
