"""Demo city deliveries (data/local/demo/*.csv), written the way city staff send them (Finnish
Excel CSV): the city's own counts and its survey results, for the measures of sources `local`
and the three surveys."""

from __future__ import annotations

from pathlib import Path

from hyte_assets.lib.demo_support import DemoInputs, Scope, ValueModel, total_rows, write_csv
from hyte_assets.lib.regions import Region

SURVEY_YEARS = {
    "regional_survey": (2018, 2020, 2022, 2024),
    "older_people_survey": (2023,),
    "resident_survey": (2024, 2025),
}
SURVEY_NAMES = {
    "regional_survey": "Maakunnallinen hyvinvointikysely",
    "older_people_survey": "Ikäihmisten hyvinvointikysely",
    "resident_survey": "Asukaskokemuskysely",
}


def generate(inputs: DemoInputs) -> dict[str, int]:
    rows = [
        row
        for measure in inputs.measures_without_path("local", *SURVEY_YEARS)
        for row in delivery_rows(measure, inputs.value_regions, inputs.model, inputs.scope)
    ]
    # Counts first, then the surveys in SURVEY_YEARS order, as the deliveries list them.
    order = {source: i for i, source in enumerate(("local", *SURVEY_YEARS))}
    by_id = {m["measure_id"]: m for m in inputs.measures}
    rows.sort(key=lambda r: order[by_id[str(r["measure_id"])]["source"]])
    return {"local_demo_rows": write_deliveries(inputs.local_dir, rows, by_id)}


def delivery_rows(
    measure: dict[str, str], regions: list[Region], model: ValueModel, scope: Scope
) -> list[dict[str, object]]:
    """Long-form demo rows of one measure that the city delivers itself."""
    source = measure["source"]
    rows: list[dict[str, object]] = []
    if source in SURVEY_YEARS:
        # Terve Suomi-type regional figures exist only for the wellbeing county and the country.
        # City deliveries hold Heinola's own surveys and the regional survey's county/country rows.
        regional = ("hyvinvointialue", "koko_maa")
        targets = [
            r
            for r in regions
            if not r.is_demo
            and (r.level in regional if source == "regional_survey" else r.region_code == "111")
        ]
        years = [str(y) for y in SURVEY_YEARS[source]]
        for region in targets:
            rows += total_rows(
                measure, region, model, years, sample_size=900 if region.level != "kunta" else 420
            )
        return rows
    if source == "local":
        heinola = [r for r in regions if r.region_code == "111"]
        years = [str(y) for y in scope.years if y >= 2021]
        for region in heinola:
            rows += total_rows(measure, region, model, years)
        return rows
    return rows


def finnish_number(value: object) -> str:
    return str(value).replace(".", ",")


def write_deliveries(
    local_dir: Path, rows: list[dict[str, object]], measures: dict[str, dict[str, str]]
) -> int:
    """Write demo city deliveries the way city staff send them: Finnish Excel CSV."""
    counts = [r for r in rows if measures[str(r["measure_id"])]["source"] == "local"]
    surveys = [r for r in rows if measures[str(r["measure_id"])]["source"] in SURVEY_YEARS]
    fmt = {"delimiter": ";", "encoding": "utf-8-sig"}
    write_csv(
        local_dir / "demo" / "laskennat_2021-2025.csv",
        [
            {
                "mittari_id": r["measure_id"],
                "ajanjakso": r["period"],
                "ryhma": "",
                "arvo": finnish_number(r["value"]),
                "lisatieto": "DEMO-arvo (hyte_assets demo_data, seed 2026)",
            }
            for r in counts
        ],
        ["mittari_id", "ajanjakso", "ryhma", "arvo", "lisatieto"],
        **fmt,
    )
    write_csv(
        local_dir / "demo" / "kyselyt_2018-2025.csv",
        [
            {
                "mittari_id": r["measure_id"],
                "kysely": SURVEY_NAMES[measures[str(r["measure_id"])]["source"]],
                "vuosi": r["year"],
                "alue": r["region_code"],
                "ryhma": "",
                "arvo": finnish_number(r["value"]),
                "vastaajia": r["sample_size"],
            }
            for r in surveys
        ],
        ["mittari_id", "kysely", "vuosi", "alue", "ryhma", "arvo", "vastaajia"],
        **fmt,
    )
    return len(counts) + len(surveys)
