"""What the demo-data generators of the source folders share (no Dagster here).

Each source folder's `demo.py` (`defs/sources/<source>/demo.py`) writes that source's demo files
with these helpers: a seeded value model that passes through the cited real values, CSV/JSON
writers, and the wire formats of PxWeb. `hyte_assets.lib.demo_data` runs every folder's generator.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hyte_assets.lib.catalog import TABLE_REF
from hyte_assets.lib.demo_scale import HOME, Band, DemoRegions, Levels
from hyte_assets.lib.regions import Region

SEED = 2026
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
RECORDED_AT = "2026-11-30T06:00:00"
# The monthly review publishes a month in the following month, so a recording made on RECORDED_AT
# holds every month up to the one before it (2026-10); older recordings looked stale to ge_freshness.
LAST_MONTH = (int(RECORDED_AT[:4]), int(RECORDED_AT[5:7]) - 1)

MAX_STEP = 0.035  # largest relative step per period of a demo series with a band (ValueModel.series)
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
    months=tuple(f"{y}-{m:02d}" for y in range(2023, 2027) for m in range(1, 13) if (y, m) <= LAST_MONTH),
    national_values=False,
)
NATIONAL_SCOPE = Scope(
    years=tuple(range(2000, 2026)),
    months=tuple(f"{y}-{m:02d}" for y in range(2016, 2027) for m in range(1, 13) if (y, m) <= LAST_MONTH),
    national_values=True,
)


def seeded_rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str], **fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = fmt.pop("encoding", "utf-8")
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", **fmt)
        writer.writeheader()
        writer.writerows(rows)


def write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


class ValueModel:
    """Demo series: a level per measure (inside its demo_anchors.csv band where there is one), an
    offset per region, a walk over periods; the series passes through every cited real value."""

    def __init__(self, real: list[dict[str, str]], levels: Levels | None = None) -> None:
        # (item, region_code, period, group) -> value, so a series can pass through real values.
        self.anchors = {
            (r["item"], r["region_code"], r["period"], r["group_value"]): float(r["value"]) for r in real
        }
        self.levels = levels
        self.latest_real: dict[str, str] = {}
        for item, _, period, _ in self.anchors:
            self.latest_real[item] = max(period, self.latest_real.get(item, ""))

    def band(self, key: str, item: str, region: str, group: str) -> Band | None:
        return self.levels.band((item, key), region, group) if self.levels else None

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
        level: float | None = None,
    ) -> dict[str, float]:
        """`volatility` is the relative step of the walk per period (4 % a year; less for months);
        `level` fixes the level (e.g. a share of the real population) instead of a band.

        With a band (demo_anchors.csv) the level is drawn inside it and the walk reverts to it,
        so thirty years of demo stay at the band's scale; without one the unit's typical range
        applies. Where real values exist the gap to each is interpolated between them, so the
        series passes through every one of them without a jump.
        """
        periods = list(periods)
        band = self.band(key, item, region, group)
        rng = seeded_rng(key, region, group)
        out: dict[str, float] = {}
        if band or level is not None:
            if level is None and band:
                share = seeded_rng(key, "level", group).random()
                level = band.low + share * (band.high - band.low)
            level = float(level or 0.0) * scale
            # Bounded steps around the level: a region starts within ±8 % of it and a period's change
            # stays under 7 % of the level, the way published series move; an unbounded walk produced
            # changes that the outlier warning rightly flagged as implausible.
            step = min(volatility, MAX_STEP)
            drift = rng.uniform(-0.08, 0.08)
            # A share above 50 % varies on its complement, so 90 % never walks past 100 %.
            flip = unit == "percent" and level > 50
            for period in periods:
                drift = 0.6 * drift + rng.uniform(-step, step)
                value = 100.0 - (100.0 - level) * (1 + drift) if flip else level * (1 + drift)
                out[period] = max(0.0, value)
        else:
            low, high = UNIT_RANGES.get(unit, (10.0, 60.0))
            value = seeded_rng(key, "level").uniform(low, high) * scale * (1 + rng.gauss(0, 0.15))
            for period in periods:
                value = max(0.0, value * (1 + rng.gauss(0, volatility)))
                out[period] = value
        anchored = [
            (i, p, self.anchors[(item, region, p, group)])
            for i, p in enumerate(periods)
            if (item, region, p, group) in self.anchors
        ]
        if anchored:
            out = {p: max(0.0, v + _gap(i, anchored, out)) for i, (p, v) in enumerate(out.items())}
        # A recent real yearly value marks the latest published year of the whole item: no region
        # gets demo values for years the source has not published yet. (Monthly series end at the
        # recording's last published month, see DEFAULT_SCOPE.)
        latest_real = self.latest_real.get(item)
        if latest_real and "-" not in latest_real and latest_real[:4] >= str(int(max(out)[:4]) - 2):
            out = {p: v for p, v in out.items() if p <= latest_real}
        for _, p, v in anchored:
            out[p] = v
        if unit == "percent":
            out = {p: min(v, 100.0) for p, v in out.items()}
        if unit == "yes_no":
            out = {p: 100.0 if v >= 50 else 0.0 for p, v in out.items()}
        decimals = 0 if unit == "count" else 1
        return {p: round(v, decimals) for p, v in out.items()}


def _gap(index: int, anchored: list[tuple[int, str, float]], walk: dict[str, float]) -> float:
    """Real minus demo at the period `index`: interpolated between real values, flat beyond them."""
    gaps = [(i, real - walk[p]) for i, p, real in anchored]
    if index <= gaps[0][0]:
        return gaps[0][1]
    for (i0, g0), (i1, g1) in zip(gaps, gaps[1:], strict=False):
        if i0 <= index <= i1:
            return g0 + (g1 - g0) * (index - i0) / (i1 - i0)
    return gaps[-1][1]


def value_regions(regions: list[Region], scope: Scope, scale: DemoRegions | None = None) -> list[Region]:
    """The regions that get demo values: all with `national_values`, else the comparison set."""
    if scope.national_values:
        return regions
    if scale is not None:
        return [r for r in regions if scale.in_comparison(r)]
    return [r for r in regions if not r.is_demo]


def long_row(
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


@dataclass(frozen=True)
class DemoInputs:
    """What every generator reads: the catalog, the cited real values, the regions, the scope."""

    out: Path
    local_dir: Path
    data_dir: Path
    measures: list[dict[str, str]]
    regions: list[Region]
    model: ValueModel
    scope: Scope
    scale: DemoRegions | None = None  # real populations and the comparison set (lib/demo_scale.py)

    @property
    def value_regions(self) -> list[Region]:
        return value_regions(self.regions, self.scope, self.scale)

    def count_scale(self, unit: str, region: Region) -> float:
        """Counts scale with the population: a region's count is the home municipality's level
        times its population over the home municipality's (Lahti's counts ≈ 7 × Heinola's)."""
        if unit != "count" or self.scale is None:
            return 1.0
        home = self.scale.population[("kunta", HOME)]
        return self.scale.population_of(region) / home

    def in_comparison(self, region: Region) -> bool:
        return self.scale.in_comparison(region) if self.scale else not region.is_demo

    def measures_without_path(self, *sources: str) -> list[dict[str, str]]:
        """Catalog measures of these sources with no citable source path: they get demo rows."""
        return [m for m in self.measures if m["source"] in sources and not has_source_path(m)]


def has_source_path(measure: dict[str, str]) -> bool:
    """Whether the catalog cites where the measure's values come from (a Sotkanet id or a table)."""
    return (measure["source"] in ("sotkanet", "kouluterveyskysely") and measure["source_ref"].isdigit()) or (
        measure["source"] in ("statfin", "employment") and bool(TABLE_REF.match(measure["source_ref"]))
    )


def generic_demo_rows(measure: dict[str, str], inputs: DemoInputs) -> list[dict[str, object]]:
    """Yearly demo rows for every region, for a measure that has no citable source path yet."""
    years, unit = [str(y) for y in inputs.scope.years], measure["unit"]
    rows: list[dict[str, object]] = []
    for region in inputs.value_regions:
        rows += total_rows(measure, region, inputs.model, years, scale=inputs.count_scale(unit, region))
    return rows


def total_rows(
    measure: dict[str, str],
    region: Region,
    model: ValueModel,
    years: list[str],
    *,
    sample_size: float | None = None,
    scale: float = 1.0,
) -> list[dict[str, object]]:
    """Demo rows of one measure for a region's whole population ('total') over `years`."""
    key = measure["measure_id"]
    series = model.series(
        key, f"measure:{key}", measure["unit"], region.region_code, "total", years, scale=scale
    )
    return [long_row(measure, region, p, "total", "total", v, sample_size) for p, v in series.items()]


def write_demo_values(inputs: DemoInputs, source: str, rows: list[dict[str, object]]) -> dict[str, int]:
    """`<source>/demo_values.csv` when the source has demo rows (nothing otherwise)."""
    if not rows:
        return {}
    write_csv(inputs.out / source / "demo_values.csv", rows, LONG_COLUMNS)
    return {f"{source}_demo_rows": len(rows)}


def generic_demo_values(inputs: DemoInputs, source: str) -> dict[str, int]:
    rows = [
        row for measure in inputs.measures_without_path(source) for row in generic_demo_rows(measure, inputs)
    ]
    return write_demo_values(inputs, source, rows)


# PxWeb (StatFin) wire format: the statfin and employment sources both record tables.


def jsonstat2(
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


def pxweb_metadata(
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


def write_pxweb_table(
    inputs: DemoInputs, table: str, codes: list[str], cells_of: object, *, monthly: bool = False
) -> int:
    """Write `<table>.meta.json` and `<table>.data.json` for the areas the snapshot covers;
    `cells_of(region, periods)` gives `{code: {period: value}}` for one region."""
    scope = inputs.scope
    area_regions = [
        r
        for r in inputs.regions
        if r.statfin_code and (table == "vaerak/11re" or inputs.in_comparison(r) or scope.national_values)
    ]
    areas = [(r.statfin_code, r.name) for r in area_regions]
    times = [m.replace("-", "M") for m in scope.months] if monthly else [str(y) for y in scope.years]
    time_var = "timeperiod_m" if monthly else "timeperiod_y"
    cells: dict[tuple[str, str, str], float | None] = {}
    for region in area_regions:
        periods = list(scope.months) if monthly else [str(y) for y in scope.years]
        for code, series in cells_of(region, periods).items():  # type: ignore[operator]
            for period, value in series.items():
                cells[(region.statfin_code, period.replace("-", "M"), code)] = value
    # One suppressed cell (a small municipality's youth count) shows how suppression looks.
    if monthly and "TYOTTOMAT25" in codes:
        cells[("KU576", times[0], "TYOTTOMAT25")] = None
    area_var = PXWEB_AREA_VARIABLE.get(table, "Alue")
    stem = table.replace("/", "__")
    statfin = inputs.out / "statfin"
    write_json(statfin / f"{stem}.meta.json", pxweb_metadata(table, area_var, areas, time_var, times, codes))
    write_json(
        statfin / f"{stem}.data.json", jsonstat2(table, area_var, areas, time_var, times, codes, cells)
    )
    return len(cells)


def statfin_refs(inputs: DemoInputs, *sources: str) -> dict[str, dict[str, str]]:
    """`{table: {content_code: unit}}` of the catalog measures of these sources with a cited table."""
    wanted: dict[str, dict[str, str]] = {}
    for measure in inputs.measures:
        match = TABLE_REF.match(measure["source_ref"])
        if measure["source"] in sources and match:
            wanted.setdefault(match["table"], {})[match["code"]] = measure["unit"]
    return wanted


def gender_split(total: float, gap: float, unit: str) -> dict[str, float]:
    """Male, female and total rows around a total: `gap` is (female − male) / total, so the two
    bracket the total and average to it (equal group sizes assumed). Percentages stay in 0–100."""
    decimals = 0 if unit == "count" else 1
    if unit == "percent" and 50 < total < 100:
        # A share near 100 % splits on its complement (dissatisfied girls, not satisfied boys over 100).
        rest = gender_split(100.0 - total, max(-1.5, min(1.5, -gap * total / (100.0 - total))), unit)
        return {
            "male": round(100.0 - rest["male"], 1),
            "female": round(100.0 - rest["female"], 1),
            "total": total,
        }
    female, male = total * (1 + gap / 2), total * (1 - gap / 2)
    if unit in ("percent", "yes_no"):
        female, male = min(100.0, female), min(100.0, male)
    return {
        "male": round(max(0.0, male), decimals),
        "female": round(max(0.0, female), decimals),
        "total": total,
    }
