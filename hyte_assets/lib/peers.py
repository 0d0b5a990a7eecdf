"""The region table and the peer-group rules as catalog tables, so the SQL models can compare with peers.

`catalog.municipalities` is `data/regions/regions-fi.csv` as read by `region_table` (real, cited
2025 populations); `catalog.peer_rules` is `data/scorecard/peers.csv`, checked row by row here so a
typo fails with file, row and problem instead of silently shrinking a peer group. The rules
themselves are applied in SQL (`intermediate.int_peer_group`); `data/scorecard/peers.md` explains them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.region_table import (
    RegionTable,
    RegionTableError,
    load_region_table,
    normalise_municipality_code,
)

if TYPE_CHECKING:
    import pandas as pd

PEERS_FILE = Path("scorecard") / "peers.csv"
SOURCE = "peers"
ANY_MUNICIPALITY = "*"
# rule -> which of peer_code / population bounds it needs
RULES: dict[str, str] = {
    "maakunta": "",  # every municipality of the same maakunta
    "size_band": "bounds",  # 2025 population between population_min and population_max residents
    "size_ratio": "bounds",  # 2025 population between min and max times the municipality's own
    "include": "peer",  # this municipality, whatever its size or area
    "exclude": "peer",  # never this municipality (e.g. a merged or atypical one)
}
PEER_COLUMNS = ("municipality_code", "rule", "peer_code", "population_min", "population_max", "note")


def municipalities_frame(regions: RegionTable) -> pd.DataFrame:
    """`catalog.municipalities`: one row per municipality, real data (`is_demo` false)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "municipality_code": m.code,
                "municipality_name": m.name,
                "maakunta_code": m.maakunta_code,
                "maakunta_name": m.maakunta_name,
                # 90 Helsinki and 91 Åland are classification units, not wellbeing services counties
                "hyvinvointialue_code": m.county_code if m.has_wellbeing_county else None,
                "hyvinvointialue_name": m.county_name if m.has_wellbeing_county else None,
                "population": m.population,
                "population_year": m.population_year,
                "is_demo": False,
            }
            for m in regions.municipalities
        ]
    )


def load_peer_rules(path: Path, regions: RegionTable) -> pd.DataFrame:
    """`catalog.peer_rules` from peers.csv; any bad row raises SourceError naming file, row and problem."""
    import pandas as pd

    if not path.is_file():
        raise SourceError(SOURCE, "the peer-group file is missing", file=str(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in PEER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(SOURCE, f"missing columns {', '.join(missing)}", file=str(path))
        rows = [_rule_row(rec, regions, path, line) for line, rec in enumerate(reader, start=2)]
    frame = pd.DataFrame(rows, columns=list(PEER_COLUMNS))
    # typed even when every peer_code is empty, so the column is VARCHAR in DuckDB, not NULL
    return frame.astype({"peer_code": "string", "population_min": "float64", "population_max": "float64"})


def _rule_row(rec: dict[str, str], regions: RegionTable, path: Path, line: int) -> dict[str, object]:
    def fail(problem: str, column: str) -> SourceError:
        return SourceError(SOURCE, problem, file=str(path), row=line, column=column)

    def known(raw: str, column: str) -> str:
        try:
            code = normalise_municipality_code(raw)
            regions.municipality(code)
        except RegionTableError as exc:
            raise fail(str(exc), column) from exc
        return code

    raw_code = (rec.get("municipality_code") or "").strip()
    home = ANY_MUNICIPALITY if raw_code == ANY_MUNICIPALITY else known(raw_code, "municipality_code")
    rule = (rec.get("rule") or "").strip()
    if rule not in RULES:
        raise fail(f"rule {rule!r} is not one of {', '.join(RULES)}", "rule")
    raw_peer = (rec.get("peer_code") or "").strip()
    peer = None
    if RULES[rule] == "peer":
        if not raw_peer:
            raise fail(f"rule {rule} needs a peer_code", "peer_code")
        peer = known(raw_peer, "peer_code")
    elif raw_peer:
        raise fail(f"rule {rule} takes no peer_code (got {raw_peer!r})", "peer_code")
    bounds: list[float | None] = []
    for column in ("population_min", "population_max"):
        text = (rec.get(column) or "").strip().replace(",", ".")
        if RULES[rule] != "bounds":
            if text:
                raise fail(f"rule {rule} takes no {column}", column)
            bounds.append(None)
            continue
        try:
            number = float(text)
        except ValueError:
            raise fail(f"{column} {text!r} is not a number (rule {rule} needs both bounds)", column) from None
        if number < 0:
            raise fail(f"{column} {number} is negative", column)
        bounds.append(number)
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise fail(f"population_min {bounds[0]} is above population_max {bounds[1]}", "population_min")
    return {
        "municipality_code": home,
        "rule": rule,
        "peer_code": peer,
        "population_min": bounds[0],
        "population_max": bounds[1],
        "note": (rec.get("note") or "").strip(),
    }


def region_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Both catalog tables, read from `<data_dir>/regions/` and `<data_dir>/scorecard/peers.csv`."""
    try:
        regions = load_region_table(data_dir)
    except RegionTableError as exc:
        raise SourceError("regions", str(exc)) from exc
    return {
        "catalog.municipalities": municipalities_frame(regions),
        "catalog.peer_rules": load_peer_rules(Path(data_dir) / PEERS_FILE, regions),
    }
