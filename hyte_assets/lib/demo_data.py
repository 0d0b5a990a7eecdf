"""Seeded generator of the shipped snapshot: wire-format responses plus demo values.

Nothing in this sandbox can reach THL or Statistics Finland, so the offline default runs on a
snapshot that this script writes. It is honest by construction:

* real values come only from `data/snapshots/real_values.csv`, where each row cites its public
  source (the reference notes, the plan itself); they are written into the wire-format files
  unchanged and keep `is_demo = false` all the way to the reports;
* every other value is demo data: a seeded random walk per measure × region × group, anchored
  so that Heinola's series passes through the real values where there are some. Demo values are
  written as such (`demo_values.csv` per source, city deliveries in `data/local/demo/`) or, inside the
  wire-format files, are every cell that `real_values.csv` does not list;
* source identifiers (Sotkanet ids, PxWeb tables/content codes) are only those the catalog cites.

Run `python -m hyte_assets.lib.demo_data` to rewrite `data/snapshots/` (default scope), or with
`--national DIR` to write a national-scale data set (every municipality, 2000–2025) for the
benchmark. The same seed always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hyte_assets.lib.catalog import TABLE_REF
from hyte_assets.lib.pxweb import EMPLOYMENT_CODES
from hyte_assets.lib.regions import Region, snapshot_regions

SEED = 2026
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
RECORDED_AT = "2026-11-30T06:00:00"

KTK_LEVELS = ("4.-5. lk", "8.-9. lk", "lukio", "ammatillinen")
KTK_SAMPLE = {"4.-5. lk": 340, "8.-9. lk": 310, "lukio": 150, "ammatillinen": 190}
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
# Typical level range per unit: demo values start inside it (documented in data/snapshots/README.md).
UNIT_RANGES = {
    "percent": (3.0, 45.0),
    "count": (20.0, 600.0),
    "per_10000": (60.0, 300.0),
    "per_100000": (4000.0, 9000.0),
    "eur_per_m2": (6.0, 18.0),
    "gini": (23.0, 28.0),
    "eur_per_resident": (15.0, 25.0),
    "score_0_100": (40.0, 90.0),
    "yes_no": (30.0, 90.0),  # rounded to 0 (no) or 100 (yes) below
}
PXWEB_AREA_VARIABLE = {
    "tyonv/12r5": "Alue",
    "tjt/14ww": "alue_23_20250101",
    "vaerak/11re": "alue_23_20260101",
}


@dataclass(frozen=True)
class Scope:
    years: tuple[int, ...]
    months: tuple[str, ...]
    national_values: bool  # demo values for every municipality, not only the comparison regions


DEFAULT_SCOPE = Scope(
    years=tuple(range(2015, 2026)),
    months=tuple(f"{y}-{m:02d}" for y in range(2023, 2027) for m in range(1, 13) if (y, m) <= (2026, 6)),
    national_values=False,
)
NATIONAL_SCOPE = Scope(
    years=tuple(range(2000, 2026)),
    months=tuple(f"{y}-{m:02d}" for y in range(2016, 2027) for m in range(1, 13) if (y, m) <= (2026, 6)),
    national_values=True,
)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[dict[str, object]], columns: list[str], **fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = fmt.pop("encoding", "utf-8")
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", **fmt)
        writer.writeheader()
        writer.writerows(rows)


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


class ValueModel:
    """Demo series: a level per measure, an offset per region, a random walk over periods."""

    def __init__(self, real: list[dict[str, str]]) -> None:
        # (item, region_code, period, group) -> value, so a series can pass through real values.
        self.anchors = {
            (r["item"], r["region_code"], r["period"], r["group_value"]): float(r["value"]) for r in real
        }
        self.latest_real: dict[str, str] = {}
        for item, _, period, _ in self.anchors:
            self.latest_real[item] = max(period, self.latest_real.get(item, ""))

    def series(
        self,
        key: str,
        item: str,
        unit: str,
        region: str,
        group: str,
        periods: Iterable[str],
        *,
        scale: float = 1.0,
        volatility: float = 0.04,
    ) -> dict[str, float]:
        """`volatility` is the relative step of the walk per period (4 % a year; less for months)."""
        low, high = UNIT_RANGES.get(unit, (10.0, 60.0))
        level = _rng(key, "level").uniform(low, high) * scale
        rng = _rng(key, region, group)
        value = level * (1 + rng.gauss(0, 0.15))
        out: dict[str, float] = {}
        for period in periods:
            value = max(0.0, value * (1 + rng.gauss(0, volatility)))
            out[period] = value
        anchored = [
            (p, self.anchors[(item, region, p, group)])
            for p in out
            if (item, region, p, group) in self.anchors
        ]
        if anchored:
            period, real_value = anchored[-1]
            shift = real_value - out[period]
            out = {p: max(0.0, v + shift) for p, v in out.items()}
        # A recent real value marks the latest published period of the whole item: no region
        # gets demo values for periods the source has not published yet.
        latest_real = self.latest_real.get(item)
        if latest_real and latest_real[:4] >= str(int(max(out)[:4]) - 2):
            out = {p: v for p, v in out.items() if p <= latest_real}
            for p, v in anchored:
                out[p] = v
        if unit == "percent":
            out = {p: min(v, 100.0) for p, v in out.items()}
        if unit == "yes_no":
            out = {p: 100.0 if v >= 50 else 0.0 for p, v in out.items()}
        decimals = 0 if unit == "count" else 1
        return {p: round(v, decimals) for p, v in out.items()}


def _value_regions(regions: list[Region], scope: Scope) -> list[Region]:
    if scope.national_values:
        return regions
    return [r for r in regions if not r.is_demo]


def _long_row(
    measure: dict[str, str],
    region: Region,
    period: str,
    group_type: str,
    group: str,
    value: float,
    sample_size: float | None = None,
) -> dict[str, object]:
    return {
        "measure_id": measure["measure_id"],
        "region_code": region.region_code,
        "region_level": region.level,
        "year": period[:4],
        "period": period,
        "group_type": group_type,
        "group_value": group,
        "value": value,
        "abs_value": "",
        "sample_size": "" if sample_size is None else sample_size,
    }


LONG_COLUMNS = [
    "measure_id",
    "region_code",
    "region_level",
    "year",
    "period",
    "group_type",
    "group_value",
    "value",
    "abs_value",
    "sample_size",
]


def _sotkanet_files(
    out: Path,
    regions: list[Region],
    measures: list[dict[str, str]],
    model: ValueModel,
    scope: Scope,
    indicator_titles: dict[int, str],
) -> int:
    sotkanet = out / "sotkanet"
    _write_json(
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
    _write_json(sotkanet / "indicators.json", listing)
    rows = 0
    for measure in measures:
        ref = measure["source_ref"]
        if measure["source"] not in ("sotkanet", "kouluterveyskysely") or not ref.isdigit():
            continue
        indicator_id = int(ref)
        _write_json(
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
        _write_json(sotkanet / "json" / f"{indicator_id}.json", data)
        rows += len(data)
    return rows


def _jsonstat2(
    table: str,
    area_var: str,
    areas: list[tuple[str, str]],
    time_var: str,
    times: list[str],
    codes: list[str],
    cells: dict[tuple[str, str, str], float | None],
) -> dict[str, object]:
    values: list[float | None] = []
    status: dict[str, str] = {}
    for a, _ in areas:
        for t in times:
            for c in codes:
                v = cells.get((a, t, c))
                if v is None:
                    status[str(len(values))] = ".."
                values.append(v)
    time_labels = {t: t for t in times}
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"{table} (hyte_assets snapshot)",
        "source": "Tilastokeskus",
        "updated": RECORDED_AT,
        "id": [area_var, time_var, "contentscode"],
        "size": [len(areas), len(times), len(codes)],
        "role": {"time": [time_var], "geo": [area_var], "metric": ["contentscode"]},
        "dimension": {
            area_var: {
                "label": "Alue",
                "category": {"index": {a: i for i, (a, _) in enumerate(areas)}, "label": dict(areas)},
            },
            time_var: {
                "label": "Aika",
                "category": {"index": {t: i for i, t in enumerate(times)}, "label": time_labels},
            },
            "contentscode": {
                "label": "Tiedot",
                "category": {"index": {c: i for i, c in enumerate(codes)}, "label": {c: c for c in codes}},
            },
        },
        "value": values,
        "status": status,
        "extension": {"px": {"tableid": table.split("/")[1], "decimals": 1}},
    }


def _pxweb_metadata(
    table: str, area_var: str, areas: list[tuple[str, str]], time_var: str, times: list[str], codes: list[str]
) -> dict[str, object]:
    return {
        "title": f"{table} (hyte_assets snapshot)",
        "variables": [
            {
                "code": area_var,
                "text": "Alue",
                "values": [a for a, _ in areas],
                "valueTexts": [n for _, n in areas],
                "elimination": True,
            },
            {"code": time_var, "text": "Aika", "values": times, "valueTexts": times, "time": True},
            {"code": "contentscode", "text": "Tiedot", "values": codes, "valueTexts": codes},
        ],
    }


def _count_scale(unit: str, region: Region) -> float:
    """Counts of a maakunta or the whole country are larger than a municipality's."""
    if unit != "count" or region.level == "kunta":
        return 1.0
    return 40.0 if region.level == "maakunta" else 800.0


def _employment_series(model: ValueModel, region: Region, months: list[str]) -> dict[str, dict[str, float]]:
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
    labour = walk("TYOVOIMATK", "count", 300 * _count_scale("count", region), volatility=0.002)
    rng = _rng("employment-shares", region.region_code)
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


def _statfin_files(
    out: Path, regions: list[Region], measures: list[dict[str, str]], model: ValueModel, scope: Scope
) -> int:
    statfin = out / "statfin"
    _write_json(
        statfin / "config.json",
        {"maxValues": 120000, "maxCells": 120000, "maxCalls": 40, "timeWindow": 60, "CORS": True},
    )
    wanted: dict[str, set[str]] = {"vaerak/11re": {"vaerak-vaesto"}}
    units: dict[tuple[str, str], str] = {("vaerak/11re", "vaerak-vaesto"): "count"}
    for measure in measures:
        match = TABLE_REF.match(measure["source_ref"])
        if measure["source"] in ("statfin", "employment") and match:
            wanted.setdefault(match["table"], set()).add(match["code"])
            units[(match["table"], match["code"])] = measure["unit"]
    if "tyonv/12r5" in wanted:
        wanted["tyonv/12r5"] |= set(EMPLOYMENT_CODES)
        units.update(
            {("tyonv/12r5", c): ("percent" if c == "TYOTOSUUS" else "count") for c in EMPLOYMENT_CODES}
        )
    cells_written = 0
    for table, codes_set in sorted(wanted.items()):
        codes = sorted(codes_set)
        area_regions = [
            r
            for r in regions
            if r.statfin_code and (table == "vaerak/11re" or not r.is_demo or scope.national_values)
        ]
        areas = [(r.statfin_code, r.name) for r in area_regions]
        monthly = table == "tyonv/12r5"
        times = [m.replace("-", "M") for m in scope.months] if monthly else [str(y) for y in scope.years]
        time_var = "timeperiod_m" if monthly else "timeperiod_y"
        cells: dict[tuple[str, str, str], float | None] = {}
        for region in area_regions:
            periods = scope.months if monthly else [str(y) for y in scope.years]
            generated = (
                _employment_series(model, region, periods)
                if monthly
                else {
                    code: model.series(
                        f"{table}:{code}",
                        f"statfin:{table}:{code}",
                        units[(table, code)],
                        region.region_code,
                        "total",
                        periods,
                        scale=_count_scale(units[(table, code)], region)
                        * (300 if code == "vaerak-vaesto" else 1),
                    )
                    for code in codes
                }
            )
            for code, series in generated.items():
                for period, value in series.items():
                    cells[(region.statfin_code, period.replace("-", "M"), code)] = value
        # One suppressed cell (a small municipality's youth count) shows how suppression looks.
        if monthly and "TYOTTOMAT25" in codes:
            cells[("KU576", times[0], "TYOTTOMAT25")] = None
        area_var = PXWEB_AREA_VARIABLE.get(table, "Alue")
        stem = table.replace("/", "__")
        _write_json(
            statfin / f"{stem}.meta.json", _pxweb_metadata(table, area_var, areas, time_var, times, codes)
        )
        _write_json(
            statfin / f"{stem}.data.json", _jsonstat2(table, area_var, areas, time_var, times, codes, cells)
        )
        cells_written += len(cells)
    return cells_written


def _demo_rows(
    measure: dict[str, str], regions: list[Region], model: ValueModel, scope: Scope
) -> list[dict[str, object]]:
    """Long-form demo rows for a measure that has no citable source path yet."""
    source = measure["source"]
    rows: list[dict[str, object]] = []
    if source == "kouluterveyskysely":
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
                rows += [
                    _long_row(measure, region, p, "school_level", level, v, n) for p, v in series.items()
                ]
        return rows
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
            series = model.series(
                measure["measure_id"],
                f"measure:{measure['measure_id']}",
                measure["unit"],
                region.region_code,
                "total",
                years,
            )
            n = 900 if region.level != "kunta" else 420
            rows += [_long_row(measure, region, p, "total", "total", v, n) for p, v in series.items()]
        return rows
    if source == "local":
        heinola = [r for r in regions if r.region_code == "111"]
        years = [str(y) for y in scope.years if y >= 2021]
        for region in heinola:
            series = model.series(
                measure["measure_id"],
                f"measure:{measure['measure_id']}",
                measure["unit"],
                "111",
                "total",
                years,
            )
            rows += [_long_row(measure, region, p, "total", "total", v) for p, v in series.items()]
        return rows
    years = [str(y) for y in scope.years]
    for region in regions:
        series = model.series(
            measure["measure_id"],
            f"measure:{measure['measure_id']}",
            measure["unit"],
            region.region_code,
            "total",
            years,
        )
        rows += [_long_row(measure, region, p, "total", "total", v) for p, v in series.items()]
    return rows


def _finnish_number(value: object) -> str:
    return str(value).replace(".", ",")


def _local_deliveries(
    local_dir: Path, rows: list[dict[str, object]], measures: dict[str, dict[str, str]]
) -> int:
    """Write demo city deliveries the way city staff send them: Finnish Excel CSV."""
    counts = [r for r in rows if measures[str(r["measure_id"])]["source"] == "local"]
    surveys = [r for r in rows if measures[str(r["measure_id"])]["source"] in SURVEY_YEARS]
    fmt = {"delimiter": ";", "encoding": "utf-8-sig"}
    _write_csv(
        local_dir / "demo" / "laskennat_2021-2025.csv",
        [
            {
                "mittari_id": r["measure_id"],
                "ajanjakso": r["period"],
                "ryhma": "",
                "arvo": _finnish_number(r["value"]),
                "lisatieto": "DEMO-arvo (hyte_assets demo_data, seed 2026)",
            }
            for r in counts
        ],
        ["mittari_id", "ajanjakso", "ryhma", "arvo", "lisatieto"],
        **fmt,
    )
    _write_csv(
        local_dir / "demo" / "kyselyt_2018-2025.csv",
        [
            {
                "mittari_id": r["measure_id"],
                "kysely": SURVEY_NAMES[measures[str(r["measure_id"])]["source"]],
                "vuosi": r["year"],
                "alue": r["region_code"],
                "ryhma": "",
                "arvo": _finnish_number(r["value"]),
                "vastaajia": r["sample_size"],
            }
            for r in surveys
        ],
        ["mittari_id", "kysely", "vuosi", "alue", "ryhma", "arvo", "vastaajia"],
        **fmt,
    )
    return len(counts) + len(surveys)


def _hyte_inputs(out: Path, regions: list[Region], indicators: list[dict[str, str]]) -> int:
    """TEA process answers (yes/no) and hyte outcome values for every municipality, as demo data."""
    municipalities = [r for r in regions if r.level == "kunta"]
    answers = []
    for region in municipalities:
        for ind in (i for i in indicators if i["kind"] == "process"):
            sector = ind.get("tea_sector", "")
            round_year = 2024 if sector == "liikunta" else 2025  # even-year vs odd-year TEA rounds
            yes = _rng("tea", region.region_code, ind["indicator_id"]).random() < 0.62
            answers.append(
                {
                    "municipality_code": region.region_code,
                    "indicator_id": ind["indicator_id"],
                    "collection_year": round_year,
                    "answer": 1 if yes else 0,
                    "is_demo": "true",
                }
            )
    _write_csv(
        out / "teaviisari" / "process_answers.csv",
        answers,
        ["municipality_code", "indicator_id", "collection_year", "answer", "is_demo"],
    )
    outcomes = []
    for ind in (i for i in indicators if i["kind"] == "outcome"):
        level = _rng("hyte", ind["indicator_id"]).uniform(4, 20)
        biennial = ind["indicator_id"].startswith("o1")
        years = (2021, 2023, 2025) if biennial else (2022, 2023, 2024)
        for region in municipalities:
            rng = _rng("hyte", ind["indicator_id"], region.region_code)
            value = level * (1 + rng.gauss(0, 0.2))
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
    _write_csv(
        out / "hyte" / "outcome_values.csv",
        outcomes,
        ["municipality_code", "indicator_id", "year", "value", "is_demo"],
    )
    scores = []
    for region in municipalities:
        for sector in ("kuntajohto", "peruskoulu", "liikunta", "kulttuuri"):
            rng = _rng("tea-score", region.region_code, sector)
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
    _write_csv(
        out / "teaviisari" / "sector_scores.csv",
        scores,
        ["municipality_code", "sector", "year", "score", "is_demo"],
    )
    return len(answers) + len(outcomes) + len(scores)


def generate(
    out: Path, *, data_dir: Path = DATA_DIR, scope: Scope = DEFAULT_SCOPE, local_dir: Path | None = None
) -> dict[str, int]:
    """Write the snapshot under `out` (and demo city deliveries under `local_dir`)."""
    measures = _read_csv(data_dir / "catalog" / "measures.csv")
    real = _read_csv(data_dir / "snapshots" / "real_values.csv")
    indicators = _read_csv(data_dir / "hyte" / "indicators.csv")
    titles = {
        int(r["indicator_id"]): r["title_fi"]
        for r in _read_csv(data_dir / "snapshots" / "sotkanet_titles.csv")
    }
    regions = snapshot_regions(national=True)
    value_regions = _value_regions(regions, scope)
    model = ValueModel(real)
    counts = {
        "sotkanet_rows": _sotkanet_files(out, regions, measures, model, scope, titles),
        "statfin_cells": _statfin_files(out, regions, measures, model, scope),
    }
    by_id = {m["measure_id"]: m for m in measures}
    demo: dict[str, list[dict[str, object]]] = {}
    for measure in measures:
        has_path = (
            measure["source"] in ("sotkanet", "kouluterveyskysely") and measure["source_ref"].isdigit()
        ) or (measure["source"] in ("statfin", "employment") and TABLE_REF.match(measure["source_ref"]))
        if not has_path:
            demo.setdefault(measure["source"], []).extend(_demo_rows(measure, value_regions, model, scope))
    for source, rows in sorted(demo.items()):
        if source in ("local", *SURVEY_YEARS):
            continue
        _write_csv(out / source / "demo_values.csv", rows, LONG_COLUMNS)
        counts[f"{source}_demo_rows"] = len(rows)
    local_rows = [r for s in ("local", *SURVEY_YEARS) for r in demo.get(s, [])]
    counts["local_demo_rows"] = _local_deliveries(local_dir or out / "local", local_rows, by_id)
    counts["hyte_rows"] = _hyte_inputs(out, regions, indicators)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--national", type=Path, help="write a national-scale data set (2000–2025) into this folder"
    )
    args = parser.parse_args()
    if args.national:
        counts = generate(args.national, scope=NATIONAL_SCOPE, local_dir=args.national / "local")
    else:
        counts = generate(DATA_DIR / "snapshots", local_dir=DATA_DIR / "local")
    for name, count in counts.items():
        print(f"{name:>28}: {count}")


if __name__ == "__main__":
    main()
