"""Demo data of Sotkanet: the recorded wire-format responses (`/regions`, `/indicators`, `/json`) of
every cited indicator (the school health survey's included), and demo rows for the sotkanet
measures without a cited id."""

from __future__ import annotations

from pathlib import Path

from hyte_assets.lib.demo_support import (
    DemoInputs,
    Scope,
    ValueModel,
    generic_demo_values,
    read_csv,
    write_json,
)
from hyte_assets.lib.regions import Region


def generate(inputs: DemoInputs) -> dict[str, int]:
    titles = {
        int(r["indicator_id"]): r["title_fi"]
        for r in read_csv(inputs.data_dir / "snapshots" / "sotkanet_titles.csv")
    }
    rows = sotkanet_files(inputs.out, inputs.regions, inputs.measures, inputs.model, inputs.scope, titles)
    return {"sotkanet_rows": rows, **generic_demo_values(inputs, "sotkanet")}


def sotkanet_files(
    out: Path,
    regions: list[Region],
    measures: list[dict[str, str]],
    model: ValueModel,
    scope: Scope,
    indicator_titles: dict[int, str],
) -> int:
    sotkanet = out / "sotkanet"
    write_json(
        sotkanet / "regions.json",
        [
            {
                "id": r.sotkanet_id,
                "code": r.code,
                "category": r.category,
                "title": {"fi": r.name, "en": r.name, "sv": r.name},
                "memberOf": list(r.member_of),
                "uri": f"http://www.yso.fi/onto/kunnat/k{r.code}" if r.category == "KUNTA" else None,
            }
            for r in regions
        ],
    )
    listing = []
    for indicator_id, title in sorted(indicator_titles.items()):
        listing.append(
            {
                "id": indicator_id,
                "title": {"fi": title},
                "organization": {"id": 2, "title": {"fi": "THL"}},
                "classifications": {"region": {"values": ["Kunta", "Maakunta", "Maa"]}},
            }
        )
    write_json(sotkanet / "indicators.json", listing)
    rows = 0
    for measure in measures:
        ref = measure["source_ref"]
        if measure["source"] not in ("sotkanet", "kouluterveyskysely") or not ref.isdigit():
            continue
        indicator_id = int(ref)
        write_json(
            sotkanet / "indicators" / f"{indicator_id}.json",
            {
                "id": indicator_id,
                "data-updated": "2026-09-01",
                "range": {"start": scope.years[0], "end": scope.years[-1]},
                "title": {"fi": measure["source_title"], "en": measure["title_en"]},
                "primaryValueType": {
                    "code": "PROS" if measure["unit"] == "percent" else "",
                    "title": {"fi": measure["unit"]},
                },
                "decimals": 1,
                "classifications": {
                    "region": {"title": {"fi": "Alue"}, "values": ["Kunta", "Maakunta", "Maa"]},
                    "sex": {"title": {"fi": "Sukupuoli"}, "values": ["Yhteensä"]},
                },
            },
        )
        # Recorded years reach back to the oldest cited real value of the indicator.
        item = f"sotkanet:{indicator_id}"
        cited = [int(k[2]) for k in model.anchors if k[0] == item]
        years = [str(y) for y in range(min([scope.years[0], *cited]), scope.years[-1] + 1)]
        data = []
        for region in regions:
            series = model.series(
                measure["measure_id"], item, measure["unit"], region.region_code, "total", years
            )
            for year, value in series.items():
                data.append(
                    {
                        "indicator": indicator_id,
                        "region": region.sotkanet_id,
                        "year": int(year),
                        "gender": "total",
                        "value": value,
                    }
                )
        write_json(sotkanet / "json" / f"{indicator_id}.json", data)
        rows += len(data)
    return rows
