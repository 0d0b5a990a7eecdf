"""Demo data of the school health survey (Kouluterveyskysely): rows by school level and gender,
every odd year, for the survey measures without a cited Sotkanet id (those with one are in the
Sotkanet recording).

Scale: each item starts in its band in demo_anchors.csv (weekly bullying 5–8 % in 8.–9. lk, as
nationally in 2013–2023); the sample size is the national number of respondents in 2023 (THL:
4.–5. lk 102,866, 8.–9. lk 90,981, lukio 44,862, ammatillinen 21,371; reference
thl-report-tea-ktk.md §3) times the region's share of the population, so Heinola answers with
about 285 pupils in 8.–9. lk. Every school-survey indicator has a gender classification in
Sotkanet, so each row comes as male, female and total (column `gender`); girls report lower life
satisfaction and more loneliness, boys more drugs and daily tobacco (GENDER_GAP).
"""

from __future__ import annotations

from hyte_assets.lib.demo_support import (
    LONG_COLUMNS,
    DemoInputs,
    gender_split,
    long_row,
    write_csv,
)
from hyte_assets.lib.region_table import COUNTRY_POPULATION_2025

KTK_LEVELS = ("4.-5. lk", "8.-9. lk", "lukio", "ammatillinen")
# Respondents nationally in 2023 (thl.fi, Kouluterveyskysely → Vastaajamäärä, via the reference note).
KTK_RESPONDENTS_2023 = {"4.-5. lk": 102_866, "8.-9. lk": 90_981, "lukio": 44_862, "ammatillinen": 21_371}
# (female − male) / total per measure; items not listed get 0.1.
GENDER_GAP = {
    "ktk_tyytyvainen_elamaan": -0.15,
    "ktk_usein_yksinainen": 0.6,
    "ktk_ei_laheista_ystavaa": -0.2,
    "ktk_ei_hyvaa_kaveria": -0.2,
    "ktk_terveydentila_keskinkertainen_huono": 0.5,
    "ktk_hairitseva_seksuaalinen_ehdottelu": 0.9,
    "ktk_seksuaalinen_kommentointi": 0.7,
    "ktk_fyysinen_uhka": -0.3,
    "ktk_koulukiusattu_viikoittain": -0.1,
    "ktk_kokeillut_huumeita": -0.3,
    "ktk_tupakka_sahkosavuke_paivittain": -0.3,
    "ktk_alkoholi_viikoittain": -0.3,
    "ktk_liikunta_enintaan_1h": 0.2,
    "ktk_ei_aamupalaa": 0.2,
    "ktk_voi_vaikuttaa_tulevaisuuteen": -0.05,
    "ktk_pitaa_koulunkaynnista": 0.05,
}
COLUMNS = [*LONG_COLUMNS, "gender"]


def generate(inputs: DemoInputs) -> dict[str, int]:
    rows = [
        row
        for measure in inputs.measures_without_path("kouluterveyskysely")
        for row in survey_rows(measure, inputs)
    ]
    if not rows:
        return {}
    write_csv(inputs.out / "kouluterveyskysely" / "demo_values.csv", rows, COLUMNS)
    return {"kouluterveyskysely_demo_rows": len(rows)}


def survey_rows(measure: dict[str, str], inputs: DemoInputs) -> list[dict[str, object]]:
    """Long-form demo rows by school level and gender for one survey measure."""
    rows: list[dict[str, object]] = []
    levels = [lv for lv in measure["school_levels"].split("|") if lv] or ["8.-9. lk"]
    years = [str(y) for y in inputs.scope.years if y % 2 == 1]  # the survey runs in odd years
    gap = GENDER_GAP.get(measure["measure_id"], 0.1)
    for region in inputs.value_regions:
        share = (inputs.scale.population_of(region) if inputs.scale else 17_694) / COUNTRY_POPULATION_2025
        for level in levels:
            series = inputs.model.series(
                measure["measure_id"],
                f"measure:{measure['measure_id']}",
                measure["unit"],
                region.region_code,
                level,
                years,
            )
            n = round(KTK_RESPONDENTS_2023[level] * share)
            for period, value in series.items():
                for gender, shown in gender_split(value, gap, measure["unit"]).items():
                    size = n if gender == "total" else round(n / 2)
                    row = long_row(measure, region, period, "school_level", level, shown, size)
                    rows.append({**row, "gender": gender})
    return rows
