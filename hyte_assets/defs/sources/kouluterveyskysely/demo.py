"""Demo data of the school health survey (Kouluterveyskysely): rows by school level, every odd
year, for the survey measures without a cited Sotkanet id (those with one are in the Sotkanet
recording)."""

from __future__ import annotations

from hyte_assets.lib.demo_support import DemoInputs, Scope, ValueModel, long_row, write_demo_values
from hyte_assets.lib.regions import Region

KTK_LEVELS = ("4.-5. lk", "8.-9. lk", "lukio", "ammatillinen")
KTK_SAMPLE = {"4.-5. lk": 340, "8.-9. lk": 310, "lukio": 150, "ammatillinen": 190}


def generate(inputs: DemoInputs) -> dict[str, int]:
    rows = [
        row
        for measure in inputs.measures_without_path("kouluterveyskysely")
        for row in survey_rows(measure, inputs.value_regions, inputs.model, inputs.scope)
    ]
    return write_demo_values(inputs, "kouluterveyskysely", rows)


def survey_rows(
    measure: dict[str, str], regions: list[Region], model: ValueModel, scope: Scope
) -> list[dict[str, object]]:
    """Long-form demo rows by school level for one survey measure."""
    rows: list[dict[str, object]] = []
    levels = [lv for lv in measure["school_levels"].split("|") if lv] or ["8.-9. lk"]
    years = [str(y) for y in scope.years if y % 2 == 1]  # the survey runs in odd years
    for region in regions:
        for level in levels:
            series = model.series(
                measure["measure_id"],
                f"measure:{measure['measure_id']}",
                measure["unit"],
                region.region_code,
                level,
                years,
            )
            n = KTK_SAMPLE[level] * (1 if region.level == "kunta" else 30)
            rows += [long_row(measure, region, p, "school_level", level, v, n) for p, v in series.items()]
    return rows
