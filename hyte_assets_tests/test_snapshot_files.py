"""Checks on the cited snapshot files: data/snapshots/real_values.csv and demo_anchors.csv.

Plain `csv` only, like test_catalog_files.py: these files are edited by hand and every row cites
its public source (data/snapshots/README.md).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


SNAPSHOTS = REPO_ROOT / "data" / "snapshots"


def test_real_values_are_unique_and_cited() -> None:
    with (SNAPSHOTS / "real_values.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    keys = Counter((r["item"], r["region_code"], r["period"], r["group_value"]) for r in rows)
    assert not [k for k, n in keys.items() if n > 1], "a real value is listed twice"
    for r in rows:
        assert r["citation"].strip() and NUMBER.match(r["value"]), r
        assert PERIOD.match(r["period"]), r
    heinola_3219 = {
        r["period"]: float(r["value"])
        for r in rows
        if r["item"] == "sotkanet:3219" and r["region_code"] == "111"
    }
    assert heinola_3219["1995"] == 17.5 and heinola_3219["2011"] == 13.2 and len(heinola_3219) >= 17  # noqa: E501
    with_abs = {r["item"] for r in rows if r["period"] == "2019" and r["abs_value"]}
    assert {"sotkanet:181", "sotkanet:3562", "sotkanet:5", "sotkanet:1275", "sotkanet:3099"} <= with_abs


def test_demo_anchors_are_cited_ranges() -> None:
    with (SNAPSHOTS / "demo_anchors.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for r in rows:
        assert r["kind"] in {"observed", "band", "assumed"} and r["citation"].strip(), r
        assert float(r["low"]) <= float(r["high"]), r
        if r["kind"] == "band":
            assert "derived" in r["citation"], r
        if r["kind"] == "assumed":  # a stated order of magnitude, never passed off as derived
            assert r["citation"].startswith("assumed:") and "derived" not in r["citation"], r
    bands = {
        (r["item"], r["region_code"]): (float(r["low"]), float(r["high"]))
        for r in rows
        if r["kind"] == "band"
    }
    assert bands[("sotkanet:3219", "111")] == (9.0, 15.0)
    assert bands[("kouluterveyskysely:koulukiusattu_viikoittain", "")] == (5.0, 8.0)
