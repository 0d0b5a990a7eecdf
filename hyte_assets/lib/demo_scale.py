"""Real scale for the demo data (no Dagster here): regions and populations from the region table,
levels from `data/snapshots/demo_anchors.csv`.

Why: a demo at the wrong scale looks broken to anyone who knows the municipality (a Heinola of
186,000 residents, 40 % of 17–24-year-olds outside education). So the demo's regions are Finland's
real municipalities, maakunnat and wellbeing services counties (`data/regions/regions-fi.csv`),
their 31.12.2025 populations are the real ones, earlier years are a smooth demo series ending at
the real figure, counts scale with the population, and every demo level starts inside the band
that `demo_anchors.csv` gives for the item (cited observations, or a stated assumption).
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from hyte_assets.lib.region_table import COUNTRY_POPULATION_2025, load_region_table
from hyte_assets.lib.regions import VERIFIED_SOTKANET_IDS, Region

HOME = "111"  # Heinola: the plan's municipality; its maakunta peers are the default comparison set
DEMO_ID_BASE = 90000  # placeholder Sotkanet ids (lib/regions.py): resolution is by category + code
COUNTRY_SOTKANET_ID = 658
POPULATION_YEAR = 2025


@dataclass(frozen=True)
class DemoRegions:
    """The snapshot's regions, their real populations on 31.12.2025 and the comparison set."""

    regions: list[Region]
    population: dict[tuple[str, str], int]  # (region level, region code) → population 31.12.2025
    comparison: frozenset[tuple[str, str]]  # (region level, region code) of the home comparison set

    def population_of(self, region: Region) -> int:
        return self.population[(region.level, region.region_code)]

    def in_comparison(self, region: Region) -> bool:
        return (region.level, region.region_code) in self.comparison


def demo_regions(data_dir: Path, home: str = HOME) -> DemoRegions:
    """Every municipality, maakunta and wellbeing county of the region table, plus the country.

    Codes, names, memberships and populations are real; Sotkanet's internal ids are the verified
    ones (lib/regions.py) and placeholders from 90001 up for the rest, as before.
    """
    table = load_region_table(data_dir)
    ids = iter(range(DEMO_ID_BASE + 1, DEMO_ID_BASE + 10_000))
    country = Region(COUNTRY_SOTKANET_ID, "MAA", "", "Koko maa", (), False)
    regions = [country]
    population: dict[tuple[str, str], int] = {("koko_maa", "SSS"): COUNTRY_POPULATION_2025}
    maakunta_ids: dict[str, int] = {}
    county_ids: dict[str, int] = {}
    for code in sorted({m.maakunta_code for m in table.municipalities}):
        maakunta_ids[code] = VERIFIED_SOTKANET_IDS.get(("MAAKUNTA", code)) or next(ids)
        regions.append(
            Region(
                maakunta_ids[code], "MAAKUNTA", code, table.maakunta_name(code), (country.sotkanet_id,), False
            )
        )
        population[("maakunta", code)] = sum(m.population for m in table.in_maakunta(code))
    for code in sorted({m.county_code for m in table.municipalities if m.has_wellbeing_county}):
        county_ids[code] = VERIFIED_SOTKANET_IDS.get(("HYVINVOINTIALUE", code)) or next(ids)
        regions.append(
            Region(
                county_ids[code],
                "HYVINVOINTIALUE",
                code,
                table.county_name(code),
                (country.sotkanet_id,),
                False,
            )
        )
        population[("hyvinvointialue", code)] = sum(m.population for m in table.in_county(code))
    for m in table.municipalities:
        member = [country.sotkanet_id, maakunta_ids[m.maakunta_code]]
        if m.has_wellbeing_county:
            member.append(county_ids[m.county_code])
        sotkanet_id = VERIFIED_SOTKANET_IDS.get(("KUNTA", m.code)) or next(ids)
        regions.append(Region(sotkanet_id, "KUNTA", m.code, m.name, tuple(member), False))
        population[("kunta", m.code)] = m.population
    own = table.municipality(home)
    comparison = {("koko_maa", "SSS"), ("maakunta", own.maakunta_code), ("hyvinvointialue", own.county_code)}
    comparison |= {("kunta", m.code) for m in table.in_maakunta(own.maakunta_code)}
    return DemoRegions(regions, population, frozenset(comparison))


def population_series(
    regions: DemoRegions, years: list[int], anchors: dict[tuple[str, int], float]
) -> dict[tuple[str, str], dict[int, int]]:
    """Year-end population of every region: real for 2025, a smooth demo series before.

    A municipality's yearly growth depends on its size (cities grow, small municipalities shrink,
    as in Finland since 2000) plus a seeded offset; where a cited older figure exists (Heinola
    2009: 20,374, Sotkanet 127) the series runs geometrically through it. Maakunnat, counties and
    the country are the sums of their municipalities, so they add up exactly in every year.
    """
    kunnat = {r.code: r for r in regions.regions if r.level == "kunta"}
    out: dict[tuple[str, str], dict[int, int]] = {}
    for code, region in kunnat.items():
        last = regions.population_of(region)
        cited = [(y, v) for (c, y), v in anchors.items() if c == code and y < POPULATION_YEAR]
        if cited:
            year, value = max(cited)
            growth = (last / value) ** (1 / (POPULATION_YEAR - year)) - 1
        else:
            rng = random.Random(f"2026:population:{code}")
            growth = 0.01 * math.log10(last / 25_000) + rng.gauss(0, 0.002)
            growth = min(0.015, max(-0.02, growth))
        out[("kunta", code)] = {y: round(last / (1 + growth) ** (POPULATION_YEAR - y)) for y in years}
    for region in regions.regions:
        if region.level == "kunta":
            continue
        members = [
            out[("kunta", k.code)]
            for k in kunnat.values()
            if region.level == "koko_maa" or region.sotkanet_id in k.member_of
        ]
        key = (region.level, region.region_code)
        out[key] = {y: sum(m[y] for m in members) for y in years}
    return out


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    kind: str  # observed, band (derived from observed) or assumed (a stated order of magnitude)


class Levels:
    """Where demo series start, per item or measure, region and group (demo_anchors.csv).

    Lookup order: this region and group, any region with this group, this region any group, any
    region and group. A `band` or `assumed` row beats an `observed` range; among equals the latest
    period wins, then the shortest span. Items without any row get `None` (the unit's typical range applies).
    """

    def __init__(self, rows: list[dict[str, str]]) -> None:
        rank = {"observed": 0, "band": 1, "assumed": 1}
        self._rows = rows
        self._bands: dict[tuple[str, str, str], tuple[tuple[int, str, str], Band]] = {}
        for row in rows:
            band = Band(float(row["low"]), float(row["high"]), row["kind"])
            # The latest period wins, then the shortest span (the most specific observation).
            order = (rank.get(row["kind"], 0), row["period_to"], row["period_from"])
            for name in {row["item"], row["measure_id"]} - {""}:
                key = (name, row["region_code"], row["group_value"])
                if key not in self._bands or order >= self._bands[key][0]:
                    self._bands[key] = (order, band)

    def observed_points(self, name: str) -> dict[tuple[str, int], float]:
        """Single-period observed values of an item: (region_code, year) → value."""
        return {
            (row["region_code"], int(row["period_to"])): float(row["low"])
            for row in self._rows
            if row["item"] == name
            and row["kind"] == "observed"
            and row["period_from"] == row["period_to"]
            and row["period_to"].isdigit()
            and row["low"] == row["high"]
        }

    @classmethod
    def load(cls, path: Path) -> Levels:
        with path.open(encoding="utf-8", newline="") as handle:
            return cls(list(csv.DictReader(handle)))

    def band(self, names: tuple[str, ...], region: str, group: str, home: str = HOME) -> Band | None:
        """The band for the first of `names` that has one; a region without its own band takes the
        home municipality's (comparison regions sit near the municipality's level)."""
        for name in names:
            for key in ((region, group), (home, group), ("", group), (region, ""), (home, ""), ("", "")):
                found = self._bands.get((name, *key))
                if found:
                    return found[1]
        return None
