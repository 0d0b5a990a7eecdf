"""Finland's municipalities with their maakunta and wellbeing services county, from a shipped file.

Every region lookup outside Sotkanet goes through this module (StatFin, the employment review,
the city's deliveries, settings validation), so none of them depends on Sotkanet being up.
The file and its citations: `data/regions/README.md`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGION_FILE = Path("regions") / "regions-fi.csv"
COUNTRY_CODE = "SSS"
COUNTRY_POPULATION_2025 = 5_652_881  # 11re, 31.12.2025 (data/regions/README.md)
# Hyvinvointialue codes 90 and 91 are classification units (Helsinki, Åland), not counties.
NON_COUNTY_CODES = frozenset({"90", "91"})


@dataclass(frozen=True)
class Municipality:
    code: str  # zero-padded to 3 ("111")
    name: str
    maakunta_code: str  # 2 digits ("07")
    maakunta_name: str
    county_code: str  # hyvinvointialue, 2 digits ("09")
    county_name: str
    population: int
    population_year: int

    @property
    def has_wellbeing_county(self) -> bool:
        return self.county_code not in NON_COUNTY_CODES


class RegionTableError(ValueError):
    """The region file is missing, malformed, or does not know a code."""


@dataclass(frozen=True)
class RegionTable:
    municipalities: tuple[Municipality, ...]
    path: Path

    def municipality(self, code: str) -> Municipality:
        """The municipality with this code; a clear error names the file when it is unknown."""
        for row in self.municipalities:
            if row.code == code:
                return row
        raise RegionTableError(f"{self.path}: no municipality with code {code!r}")

    def in_maakunta(self, maakunta_code: str) -> tuple[Municipality, ...]:
        return tuple(m for m in self.municipalities if m.maakunta_code == maakunta_code)

    def in_county(self, county_code: str) -> tuple[Municipality, ...]:
        return tuple(m for m in self.municipalities if m.county_code == county_code)

    def maakunta_name(self, maakunta_code: str) -> str:
        members = self.in_maakunta(maakunta_code)
        if not members:
            raise RegionTableError(f"{self.path}: no maakunta with code {maakunta_code!r}")
        return members[0].maakunta_name

    def county_name(self, county_code: str) -> str:
        members = self.in_county(county_code)
        if not members:
            raise RegionTableError(f"{self.path}: no wellbeing county with code {county_code!r}")
        return members[0].county_name


def normalise_municipality_code(raw: str) -> str:
    """'98' → '098'; anything but 1–3 digits is an error naming the value."""
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 3:
        raise RegionTableError(f"municipality code {raw!r} is not 1–3 digits (e.g. 111 for Heinola)")
    return text.zfill(3)


_COLUMNS = (
    "municipality_code",
    "municipality_name",
    "maakunta_code",
    "maakunta_name",
    "hyvinvointialue_code",
    "hyvinvointialue_name",
    "population",
    "population_year",
)


def load_region_table(data_dir: Path | str) -> RegionTable:
    """Read `<data_dir>/regions/regions-fi.csv`; bad rows fail with file and line."""
    return _load(Path(data_dir) / REGION_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> RegionTable:
    if not path.is_file():
        raise RegionTableError(f"region table {path} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegionTableError(f"{path}: missing columns {', '.join(missing)}")
        rows = []
        for line, rec in enumerate(reader, start=2):
            try:
                rows.append(
                    Municipality(
                        code=rec["municipality_code"].zfill(3),
                        name=rec["municipality_name"],
                        maakunta_code=rec["maakunta_code"].zfill(2),
                        maakunta_name=rec["maakunta_name"],
                        county_code=rec["hyvinvointialue_code"].zfill(2),
                        county_name=rec["hyvinvointialue_name"],
                        population=int(rec["population"]),
                        population_year=int(rec["population_year"]),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise RegionTableError(f"{path} line {line}: {exc}") from exc
    codes = [m.code for m in rows]
    if len(set(codes)) != len(codes):
        raise RegionTableError(f"{path}: a municipality code appears twice")
    return RegionTable(municipalities=tuple(rows), path=path)
