"""Which snapshot values are real: the cited rows of data/snapshots/real_values.csv.

In snapshot mode a value is demo unless this list vouches for it; in live mode every value
fetched from the source is real.
"""

from __future__ import annotations

import csv
from pathlib import Path

RealKey = tuple[str, str, str, str]  # (item, region_code, period, group_value)


def load_real_keys(path: Path) -> dict[RealKey, str]:
    """Real snapshot values → their citation."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["item"], row["region_code"], row["period"], row["group_value"]): row["citation"]
            for row in csv.DictReader(handle)
        }
