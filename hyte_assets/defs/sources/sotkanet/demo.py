"""Demo data of Sotkanet: the recorded wire-format responses (`/regions`, `/indicators`, `/json`) of
every cited indicator (the school health survey's included), and demo rows for the sotkanet
measures without a cited id.

`/regions` lists Finland's real municipalities, maakunnat and wellbeing counties (region table;
Sotkanet's internal ids are placeholders except the verified ones). Values start in the item's
band of demo_anchors.csv (3219: 9–15 % in Heinola, Päijät-Häme about 13 %) and pass through the
cited real values. Indicators with a gender classification (`classifications.sex` lists Miehet,
Naiset, Yhteensä) carry `gender` "male"/"female"/"total" rows for the comparison regions, exactly
as `/json` answers them; male and female bracket the total (GENDER_GAP).
"""

from __future__ import annotations

from hyte_assets.lib.demo_support import (
    DemoInputs,
    gender_split,
    generic_demo_values,
    read_csv,
    write_json,
)

SEX_VALUES = ["Miehet", "Naiset", "Yhteensä"]
# (female − male) / total per register indicator, for the demo's gender rows. Which register ids
# have a sex classification is not verified offline (every school-survey id has one: reference
# thl-report-tea-ktk.md §3); these person-based registers are assumed to, and a live run reads
# `classifications.sex` instead. Signs follow the usual pattern: young men outside education and
# unemployed more often, older women fall and break hips more often.
GENDER_GAP = {
    3219: -0.25,  # koulutuksen ulkopuolella 17–24
    189: -0.3,  # nuorisotyöttömät 18–24
    234: -0.35,  # toimeentulotuki pitkäaikaisesti 25–64
    3558: 0.1,  # toimeentulotuki pitkäaikaisesti 65+
    699: 0.6,  # lonkkamurtumat 65+
    3959: 0.3,  # kaatumiset ja putoamiset 65+
    3138: -0.7,  # PYLL 0–80
}


def generate(inputs: DemoInputs) -> dict[str, int]:
    titles = {
        int(r["indicator_id"]): r["title_fi"]
        for r in read_csv(inputs.data_dir / "snapshots" / "sotkanet_titles.csv")
    }
    rows = sotkanet_files(inputs, titles)
    return {"sotkanet_rows": rows, **generic_demo_values(inputs, "sotkanet")}


def sotkanet_files(inputs: DemoInputs, indicator_titles: dict[int, str]) -> int:
    out, regions, measures, model, scope = (
        inputs.out,
        inputs.regions,
        inputs.measures,
        inputs.model,
        inputs.scope,
    )
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
                    "sex": {
                        "title": {"fi": "Sukupuoli"},
                        "values": SEX_VALUES if gendered(measure) else ["Yhteensä"],
                    },
                },
            },
        )
        # Recorded years reach back to the oldest cited real value of the indicator.
        item = f"sotkanet:{indicator_id}"
        cited = [int(k[2]) for k in model.anchors if k[0] == item]
        years = [str(y) for y in range(min([scope.years[0], *cited]), scope.years[-1] + 1)]
        data = []
        gap = GENDER_GAP.get(indicator_id, 0.0) if gendered(measure) else None
        for region in regions:
            series = model.series(
                measure["measure_id"],
                item,
                measure["unit"],
                region.region_code,
                "total",
                years,
                scale=inputs.count_scale(measure["unit"], region),
            )
            split = gap is not None and inputs.in_comparison(region)
            for year, value in series.items():
                by_gender = gender_split(value, gap, measure["unit"]) if split else {"total": value}
                for gender, shown in by_gender.items():
                    data.append(
                        {
                            "indicator": indicator_id,
                            "region": region.sotkanet_id,
                            "year": int(year),
                            "gender": gender,
                            "value": shown,
                        }
                    )
        write_json(sotkanet / "json" / f"{indicator_id}.json", data)
        rows += len(data)
    return rows


def gendered(measure: dict[str, str]) -> bool:
    """Whether the demo gives the indicator a sex classification: school-survey ids always, register
    ids listed in GENDER_GAP (assumed, see there)."""
    return measure["source"] == "kouluterveyskysely" or int(measure["source_ref"]) in GENDER_GAP
