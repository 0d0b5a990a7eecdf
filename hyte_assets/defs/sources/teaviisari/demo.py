"""Demo data of TEAviisari: the hyte-kerroin's process answers (yes/no per municipality and TEA
round) and the sector scores, as maintained files (data/snapshots/teaviisari/)."""

from __future__ import annotations

from hyte_assets.lib.demo_support import DemoInputs, read_csv, seeded_rng, write_csv


def generate(inputs: DemoInputs) -> dict[str, int]:
    out, regions = inputs.out, inputs.regions
    indicators = read_csv(inputs.data_dir / "hyte" / "indicators.csv")
    municipalities = [r for r in regions if r.level == "kunta"]
    answers = []
    for region in municipalities:
        # A municipality's propensity to answer yes, Beta(4, 1) (mean 0.8, a long tail of weak ones), so
        # that the demo coefficients match the published national spread (lib/hyte/what_if.calibration).
        propensity = seeded_rng("tea-propensity", region.region_code).betavariate(4, 1)
        for ind in (i for i in indicators if i["kind"] == "process"):
            sector = ind.get("tea_sector", "")
            round_year = 2024 if sector == "liikunta" else 2025  # even-year vs odd-year TEA rounds
            yes = seeded_rng("tea", region.region_code, ind["indicator_id"]).random() < propensity
            answers.append(
                {
                    "municipality_code": region.region_code,
                    "indicator_id": ind["indicator_id"],
                    "collection_year": round_year,
                    "answer": 1 if yes else 0,
                    "is_demo": "true",
                }
            )
    write_csv(
        out / "teaviisari" / "process_answers.csv",
        answers,
        ["municipality_code", "indicator_id", "collection_year", "answer", "is_demo"],
    )
    scores = []
    for region in municipalities:
        for sector in ("kuntajohto", "peruskoulu", "liikunta", "kulttuuri"):
            rng = seeded_rng("tea-score", region.region_code, sector)
            for year in (2021, 2023, 2025) if sector != "liikunta" else (2020, 2022, 2024):
                scores.append(
                    {
                        "municipality_code": region.region_code,
                        "sector": sector,
                        "year": year,
                        "score": round(min(100.0, rng.uniform(35, 95)), 0),
                        "is_demo": "true",
                    }
                )
    write_csv(
        out / "teaviisari" / "sector_scores.csv",
        scores,
        ["municipality_code", "sector", "year", "score", "is_demo"],
    )
    return {"teaviisari_rows": len(answers) + len(scores)}
