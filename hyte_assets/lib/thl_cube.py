"""Client for THL's open-data cube API (sampo.thl.fi "pivot", engine THLfi/tiku), plain Python.

Fetch only: it returns the parsed JSON after checking the top-level shape, and
`hyte_assets.lib.jsonstat.decode_thl_cube` turns it into rows. The cube answer is JSON-stat
with the 1.x layout (`id`/`size` inside `dimension`) and a sparse `value` object, which is why
it gets its own decoder rather than the json-stat2 one.

Requests: `GET {base}/{subject}/{hydra}/fact_{cube}.json` with repeatable `row=`, `column=`
and `filter=` parameters, each `<dimension>-<nodeId>` (dot-separated for several nodes), and
`GET .../fact_{cube}.dimensions.json` for the dimension tree.

Sample sizes: with `n=True` (and `ci=True`) the request carries the flags `n` and `ci`, and THL adds a
dimension `tiku_vtype` (`v`, `ci_lower`, `ci_upper`, `n`) that `decode_thl_cube` turns into columns
(../shared/reference/thl-report-tea-ktk.md §3). THL gives n only where it has defined a sample size
for the measure; whether the school-survey cubes do is unverified, so a missing n is normal and
`respondents` leaves it empty (the scorecard then does not judge the row). The flags are sent as
`n=` / `ci=` (an empty value), which a servlet reads the same as a bare `&n`: also unverified live.

Which cube gives n for which school-survey measure and level is data, not code
(`data/catalog/thl_cube_sample_sizes.csv`, read by `read_sample_size_config`; it ships empty because
the cube ids are unverified); `fetch_sample_sizes` asks one configured cube and maps its answer to
our regions (by name), years and genders.

Snapshot files mirror the URL path (relative to the snapshot root, exact wire bodies):

======================================  =========================================
`{subject}/{hydra}/fact_{cube}.json`    the recorded response to the query the
                                        pipeline sends for that cube
`{subject}/{hydra}/fact_{cube}.dimensions.json`  the dimension tree
======================================  =========================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import FetchStats, Request, RetryingHttp, Transport
from hyte_assets.lib.jsonstat import decode_thl_cube  # at import: the skip key then covers the decoder

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "thl_cube"
DEFAULT_BASE_URL = "https://sampo.thl.fi/pivot/prod/fi"
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")


def _segment(name: str, value: str) -> str:
    if not _SEGMENT.match(value) or value in (".", ".."):
        raise ValueError(f"{name} must be a plain path segment, got {value!r}")
    return value


class ThlCubeClient:
    """Fetches THL cube facts and dimension trees; `source` names the dataset in errors."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: Transport | None = None,
        max_concurrency: int = 2,
        source: str = SOURCE,
    ) -> None:
        # The same constructor shape as SotkanetClient's (base URL, transport or live HTTP, source,
        # stats): four assignments, which a base class would hide rather than save.
        self.base_url = base_url.rstrip("/")
        self.transport = transport or RetryingHttp(max_concurrency=max_concurrency)
        self.source = source
        self.stats = FetchStats()

    def _fetch(
        self, subject: str, hydra: str, cube: str, suffix: str, params: tuple[tuple[str, str], ...] = ()
    ) -> tuple[Any, str, str]:
        path = (
            f"{_segment('subject', subject)}/{_segment('hydra', hydra)}/fact_{_segment('cube', cube)}{suffix}"
        )
        item = f"cube {subject}/{hydra}/{cube}"
        request = Request(
            source=self.source,
            method="GET",
            url=f"{self.base_url}/{path}",
            params=params,
            item=item,
            snapshot_path=path,
        )
        response = self.transport.send(request)
        self.stats.record(response)
        return response.data, response.origin, item

    def cube(
        self,
        subject: str,
        hydra: str,
        cube: str,
        *,
        row: Sequence[str] = (),
        column: Sequence[str] = (),
        filter: Sequence[str] = (),
        n: bool = False,
        ci: bool = False,
    ) -> dict[str, Any]:
        """Fact data as JSON-stat; checks that the `dataset` object is there. `n` / `ci` ask THL for
        sample sizes / confidence limits per cell (see the module docstring)."""
        params = tuple(
            (key, value)
            for key, values in (("row", row), ("column", column), ("filter", filter))
            for value in ([values] if isinstance(values, str) else values)
        )
        params += tuple((flag, "") for flag, wanted in (("ci", ci), ("n", n)) if wanted)
        with self.stats.counting_failures():
            data, url, item = self._fetch(subject, hydra, cube, ".json", params)
            if not isinstance(data, dict) or not isinstance(data.get("dataset"), dict):
                keys = sorted(data) if isinstance(data, dict) else type(data).__name__
                raise SourceError(
                    self.source, f"expected a top-level 'dataset' object, got {keys}", url=url, item=item
                )
        return data

    def dimensions(self, subject: str, hydra: str, cube: str) -> list[Any]:
        """The cube's dimension tree (a JSON array of dimensions with their node trees)."""
        with self.stats.counting_failures():
            data, url, item = self._fetch(subject, hydra, cube, ".dimensions.json")
            if not isinstance(data, list) or not data:
                raise SourceError(
                    self.source,
                    f"expected a non-empty list of dimensions, got {type(data).__name__}",
                    url=url,
                    item=item,
                )
        return data


def respondents(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Sample sizes from a decoded school-survey cube (`decode_thl_cube` of a `n=True` answer).

    `columns` maps the output names `region`, `year`, `school_level` and optionally `gender` to the
    cube's dimension ids (their names in the school-survey cubes were not found, so the caller says
    which is which; labels are used, e.g. `8. ja 9. lk`). One row per cell with an `n`; cells without
    one are dropped, never filled. Raises SourceError when the answer has no `n` column at all.
    """
    import pandas as pd

    if "n" not in frame.columns:
        raise SourceError(SOURCE, "the cube answer has no sample sizes (no tiku_vtype 'n'); was n=True sent?")
    missing = [dim for dim in columns.values() if dim not in frame.columns]
    if missing:
        raise SourceError(SOURCE, f"the cube answer has no dimension {missing}; it has {list(frame.columns)}")
    out = pd.DataFrame(
        {
            name: frame[f"{dim}__label"] if f"{dim}__label" in frame.columns else frame[dim]
            for name, dim in columns.items()
        }
    )
    out["sample_size"] = pd.to_numeric(frame["n"], errors="coerce")
    return out[out["sample_size"].notna()].reset_index(drop=True)


# ---- School-survey sample sizes from configured cubes (data/catalog/thl_cube_sample_sizes.csv) ----

_LISTS = ("row", "column", "filter")  # `|`-separated selections, each sent as its own parameter
SAMPLE_SIZE_CONFIG_COLUMNS = [
    "measure_id",
    "school_level",
    "subject",
    "hydra",
    "cube",
    "row",
    "column",
    "filter",
    "region_dim",
    "year_dim",
    "gender_dim",
    "school_level_dim",
    "school_level_label",
    "evidence",
]
# The answer's gender labels (Finnish, Swedish, English; compared lower-cased) → our gender.
GENDER_LABELS = {
    **dict.fromkeys(("tytöt", "naiset", "tytöt ja naiset", "flickor", "girls", "female"), "female"),
    **dict.fromkeys(("pojat", "miehet", "pojat ja miehet", "pojkar", "boys", "male"), "male"),
    **dict.fromkeys(("yhteensä", "kaikki", "sukupuolet yhteensä", "totalt", "total", "all"), "total"),
}
SAMPLE_SIZE_TYPES = {
    "measure_id": "string",
    "school_level": "string",
    "region_code": "string",
    "region_level": "string",
    "year": "Int64",
    "period": "string",
    "gender": "string",
    "sample_size": "Float64",
    "cube": "string",
    "is_demo": "boolean",
}


@dataclass(frozen=True)
class SampleSizeCube:
    """One configured question to THL: which cube, which selections, and which dimension is which."""

    measure_id: str
    school_level: str
    subject: str
    hydra: str
    cube: str
    row: tuple[str, ...]
    column: tuple[str, ...]
    filter: tuple[str, ...]
    region_dim: str
    year_dim: str
    gender_dim: str
    school_level_dim: str
    school_level_label: str

    @property
    def path(self) -> str:
        return f"{self.subject}/{self.hydra}/{self.cube}"


def read_sample_size_config(
    path: Path, *, measures: set[str], school_levels: Sequence[str]
) -> list[SampleSizeCube]:
    """The configured cubes; a missing file means none. A bad row raises SourceError naming the
    file, the row (1 = the header) and the problem: a person edits this file by hand."""
    import csv

    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in SAMPLE_SIZE_CONFIG_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(SOURCE, f"missing columns {missing}", file=str(path), row=1)
    specs = []
    for number, record in enumerate(reader, start=2):
        rec = {k: (v or "").strip() for k, v in record.items() if k}

        def bad(problem: str, column: str, number: int = number) -> SourceError:
            return SourceError(SOURCE, problem, file=str(path), row=number, column=column)

        for column in ("measure_id", "school_level", "subject", "hydra", "cube", "region_dim", "year_dim"):
            if not rec[column]:
                raise bad("empty", column)
        if not rec["evidence"]:
            raise bad("say where the cube id and dimension names were verified", "evidence")
        if rec["measure_id"] not in measures:
            raise bad(f"{rec['measure_id']!r} is no school-survey measure of the catalog", "measure_id")
        if rec["school_level"] not in school_levels:
            raise bad(f"{rec['school_level']!r} is not one of {list(school_levels)}", "school_level")
        if bool(rec["school_level_dim"]) != bool(rec["school_level_label"]):
            raise bad("give both school_level_dim and school_level_label, or neither", "school_level_label")
        for column in ("subject", "hydra", "cube"):
            if not _SEGMENT.match(rec[column]):
                raise bad("must be a plain path segment", column)
        specs.append(
            SampleSizeCube(
                **{k: rec[k] for k in SAMPLE_SIZE_CONFIG_COLUMNS if k not in _LISTS + ("evidence",)},
                **{k: tuple(p for p in rec[k].split("|") if p) for k in _LISTS},
            )
        )
    return specs


def fetch_sample_sizes(
    client: ThlCubeClient, spec: SampleSizeCube, regions: Mapping[str, tuple[str, str]]
) -> pd.DataFrame:
    """Respondents per region, year and gender for one configured cube (typed as SAMPLE_SIZE_TYPES,
    without `fetched_at`). `regions` maps a region's name (lower-case) to (region_code, region_level);
    cells of other regions are left out. Raises SourceError when the answer cannot be used."""
    data = client.cube(
        spec.subject,
        spec.hydra,
        spec.cube,
        row=spec.row,
        column=spec.column,
        filter=spec.filter,
        n=True,
        ci=True,  # with both flags the answer has the documented layout (v, ci_lower, ci_upper, n)
    )
    frame = decode_thl_cube(data, source=client.source, item=f"cube {spec.path}")
    columns = {"region": spec.region_dim, "year": spec.year_dim}
    columns.update({k: v for k, v in (("gender", spec.gender_dim), ("level", spec.school_level_dim)) if v})
    found = respondents(frame, columns)
    if spec.school_level_dim:
        found = found[found["level"].str.strip().str.lower() == spec.school_level_label.lower()]
    if spec.gender_dim:
        labels = found["gender"].astype(str).str.strip()
        mapped = labels.str.lower().map(GENDER_LABELS)
        unknown = sorted(set(labels[mapped.isna()]))
        if unknown:
            raise SourceError(client.source, f"unknown gender labels {unknown}", item=f"cube {spec.path}")
        found = found.assign(gender=mapped)
    else:
        found = found.assign(gender="total")
    place = found["region"].str.strip().str.lower().map(regions)
    found = found[place.notna()].assign(region_code=place.str[0], region_level=place.str[1])
    year = found["year"].astype(str).str.extract(r"((?:19|20)\d\d)", expand=False)
    out = found.assign(
        measure_id=spec.measure_id,
        school_level=spec.school_level,
        year=year.astype("Int64"),
        period=year,
        cube=spec.path,
        is_demo=False,
    )
    out = out[out["year"].notna()][list(SAMPLE_SIZE_TYPES)].astype(SAMPLE_SIZE_TYPES)
    key = ["region_code", "region_level", "year", "gender"]
    if out.duplicated(key).any():
        raise SourceError(
            client.source,
            "several cells per region, year and gender: narrow the selection with filter=",
            item=f"cube {spec.path}",
        )
    return out.reset_index(drop=True)
