"""Client for THL's Sotkanet REST API 1.1 (indicator bank), plain Python.

Why the strictness: Sotkanet is the source for most of the plan's register and survey
measures, public scripts carry wrong indicator ids, region ids are internal and have changed
once, and the API asks for occasional use only. So the client

* sends one indicator per call with repeated `years=` / `genders=` parameters (a comma list is
  HTTP 400),
* checks every row and metadata document for the keys it relies on, and that rows belong to
  the requested indicator (rows column by column, in `sotkanet_rows`),
* resolves regions by (category, code) from `/regions` instead of hard-coding ids,
* lets the pipeline assert each indicator's Finnish title before using its data.

Snapshot files (relative to the snapshot root, exact wire bodies):

=======================  ===============================================================
`regions.json`           `GET /regions`
`indicators.json`        `GET /indicators`
`indicators/{id}.json`   `GET /indicators/{id}`
`json/{id}.json`         `GET /json?indicator={id}&...` recorded with *all* years and
                         genders; the client filters to the requested ones in both modes
=======================  ===============================================================
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import FetchStats, Request, RetryingHttp, Transport
from hyte_assets.lib.sotkanet_rows import SotkanetRow, parse_rows
from hyte_assets.lib.sotkanet_titles import (  # re-exported: callers import them from here
    GENDERS,
    LEVEL_NAMES,
    IndicatorMeta,
    TitleMatch,
    available_level,
    check_title,
    indicator_warnings,
    match_titles,
    normalise_title,
    titles_agree,
)

log = logging.getLogger(__name__)

SOURCE = "sotkanet"
DEFAULT_BASE_URL = "https://sotkanet.fi/rest/1.1"

# Sotkanet region categories, mapped to the region levels of docs/architecture.md.
REGION_LEVELS = {
    "KUNTA": "kunta",
    "MAAKUNTA": "maakunta",
    "HYVINVOINTIALUE": "hyvinvointialue",
    "MAA": "koko_maa",
}


@dataclass(frozen=True)
class Region:
    """One `/regions` entry. `id` is Sotkanet's internal id; `code` the official code."""

    id: int
    code: str
    category: str
    title_fi: str
    member_of: tuple[int, ...]
    uri: str | None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _title_fi(doc: Mapping[str, Any]) -> Any:
    title = doc.get("title")
    return title.get("fi") if isinstance(title, Mapping) else None


class SotkanetClient:
    """Fetches and validates Sotkanet regions, indicator metadata and indicator data.

    Without an explicit `transport` a live `RetryingHttp` bounded by `max_concurrency` is used.
    `stats` counts fetched / not-modified / failed calls and indicators with no rows.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: Transport | None = None,
        max_concurrency: int = 4,
        source: str = SOURCE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport or RetryingHttp(max_concurrency=max_concurrency)
        self.max_concurrency = max_concurrency
        self.source = source
        self.stats = FetchStats()

    def _get(
        self, path: str, *, item: str, snapshot_path: str, params: Sequence[tuple[str, str]] = ()
    ) -> tuple[Any, str]:
        request = Request(
            source=self.source,
            method="GET",
            url=f"{self.base_url}/{path}",
            params=tuple(params),
            item=item,
            snapshot_path=snapshot_path,
        )
        response = self.transport.send(request)
        self.stats.record(response)
        return response.data, response.origin

    def _error(self, problem: str, url: str, item: str, **where: Any) -> SourceError:
        return SourceError(self.source, problem, url=url, item=item, **where)

    def regions(self) -> list[Region]:
        """All regions; an empty list is an error because nothing could be resolved from it."""
        with self.stats.counting_failures():
            data, url = self._get("regions", item="regions", snapshot_path="regions.json")
            if not isinstance(data, list):
                raise self._error(f"expected a list of regions, got {type(data).__name__}", url, "regions")
            if not data:
                raise self._error("empty regions list", url, "regions")
            return [self._parse_region(entry, url, index) for index, entry in enumerate(data)]

    def _parse_region(self, entry: Any, url: str, index: int) -> Region:
        if not isinstance(entry, Mapping):
            raise self._error("region entry is not an object", url, "regions", row=index)
        for key in ("id", "code", "category", "title"):
            if key not in entry:
                raise self._error(f"missing key {key!r} in region", url, "regions", row=index, column=key)
        title_fi = _title_fi(entry)
        member_of = entry.get("memberOf") or []
        if not _is_int(entry["id"]) or not isinstance(entry["code"], str) or not isinstance(title_fi, str):
            raise self._error(
                f"region needs int id, string code and title.fi, got {dict(entry)!r}",
                url,
                "regions",
                row=index,
            )
        if not isinstance(member_of, list) or not all(_is_int(m) for m in member_of):
            raise self._error(
                "memberOf must be a list of region ids", url, "regions", row=index, column="memberOf"
            )
        return Region(
            id=entry["id"],
            code=entry["code"],
            category=str(entry["category"]),
            title_fi=title_fi,
            member_of=tuple(member_of),
            uri=entry.get("uri"),
        )

    def indicator(self, indicator_id: int) -> IndicatorMeta:
        """Metadata of one indicator; checks the document is about the requested id."""
        item = f"indicator {indicator_id}"
        with self.stats.counting_failures():
            data, url = self._get(
                f"indicators/{indicator_id}", item=item, snapshot_path=f"indicators/{indicator_id}.json"
            )
            meta = self._parse_indicator(data, url, item, require_classifications=True)
            if meta.id != indicator_id:
                raise self._error(f"metadata is for indicator {meta.id}, asked for {indicator_id}", url, item)
            return meta

    def indicators(self) -> list[IndicatorMeta]:
        """The full indicator list (~3 700 items, ~2.5 MB: fetch rarely, keep as an artefact)."""
        with self.stats.counting_failures():
            data, url = self._get("indicators", item="indicators", snapshot_path="indicators.json")
            if not isinstance(data, list) or not data:
                raise self._error("expected a non-empty list of indicators", url, "indicators")
            return [
                self._parse_indicator(entry, url, "indicators", require_classifications=False, row=index)
                for index, entry in enumerate(data)
            ]

    def _parse_indicator(
        self, doc: Any, url: str, item: str, *, require_classifications: bool, row: int | None = None
    ) -> IndicatorMeta:
        if not isinstance(doc, Mapping):
            raise self._error("indicator document is not an object", url, item, row=row)
        if not _is_int(doc.get("id")):
            raise self._error("missing key 'id' (int) in indicator", url, item, row=row, column="id")
        title_fi = _title_fi(doc)
        if not isinstance(title_fi, str):
            raise self._error("missing key 'title.fi' in indicator", url, item, row=row, column="title.fi")
        region_values = ((doc.get("classifications") or {}).get("region") or {}).get("values")
        if region_values is None and require_classifications:
            raise self._error(
                "missing key 'classifications.region.values' in indicator",
                url,
                item,
                row=row,
                column="classifications.region.values",
            )
        range_ = doc.get("range") or {}
        sex_values = ((doc.get("classifications") or {}).get("sex") or {}).get("values") or ()
        if not isinstance(sex_values, list | tuple) or not all(isinstance(v, str) for v in sex_values):
            raise self._error(
                "classifications.sex.values must be a list of strings",
                url,
                item,
                row=row,
                column="classifications.sex.values",
            )
        return IndicatorMeta(
            id=doc["id"],
            title_fi=title_fi,
            region_levels=tuple(region_values or ()),
            primary_value_type=(doc.get("primaryValueType") or {}).get("code"),
            decimals=doc.get("decimals"),
            range_start=range_.get("start"),
            range_end=range_.get("end"),
            data_updated=doc.get("data-updated"),
            sex_values=tuple(sex_values),
        )

    def data(
        self, indicator_id: int, years: Iterable[int], genders: Iterable[str] = ("total",)
    ) -> list[SotkanetRow]:
        """Rows of one indicator for all regions, the given years and genders.

        An empty result is allowed (some indicators have nothing for `total` alone) but is
        logged and recorded in `stats.empty`.
        """
        item = f"indicator {indicator_id}"
        years_ = list(dict.fromkeys(int(y) for y in years))
        genders_ = list(dict.fromkeys(genders))
        if not years_:
            raise ValueError("at least one year is required")
        if not genders_ or not set(genders_) <= set(GENDERS):
            raise ValueError(f"genders must be a non-empty subset of {GENDERS}, got {genders_}")
        params = [("indicator", str(indicator_id))]
        params += [("years", str(y)) for y in years_]
        params += [("genders", g) for g in genders_]
        with self.stats.counting_failures():
            data, url = self._get("json", item=item, snapshot_path=f"json/{indicator_id}.json", params=params)
            if not isinstance(data, list):
                raise self._error(f"expected a list of rows, got {type(data).__name__}", url, item)
            fail = partial(self._error, url=url, item=item)
            rows = parse_rows(data, indicator_id, set(years_), set(genders_), fail)
        if not rows:
            log.warning(
                "%s: %s returned no rows for years %s, genders %s", self.source, item, years_, genders_
            )
            self.stats.record_empty(item)
        return rows

    def data_many(
        self,
        indicator_ids: Iterable[int],
        years: Iterable[int],
        genders: Iterable[str] = ("total",),
        *,
        genders_by_id: Mapping[int, Sequence[str]] | None = None,
    ) -> dict[int, list[SotkanetRow] | SourceError]:
        """Fetch several indicators concurrently (at most `max_concurrency` at once).

        `genders_by_id` overrides `genders` per indicator (use `IndicatorMeta.genders`, so that
        indicators with a gender classification come back as male, female and total).
        A failing indicator yields its `SourceError` in the result instead of stopping the others.
        """
        ids = list(dict.fromkeys(indicator_ids))
        years_, genders_ = list(years), list(genders)
        per_id = dict(genders_by_id or {})

        def fetch(indicator_id: int) -> list[SotkanetRow] | SourceError:
            try:
                return self.data(indicator_id, years_, per_id.get(indicator_id, genders_))
            except SourceError as exc:
                log.error("%s", exc)
                return exc

        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="sotkanet") as pool:
            return dict(zip(ids, pool.map(fetch, ids), strict=True))


def _single_parent(kunta: Region, by_id: Mapping[int, Region], category: str) -> Region:
    parents = [by_id[m] for m in kunta.member_of if m in by_id and by_id[m].category == category]
    if len(parents) != 1:
        found = ", ".join(f"{p.id} {p.title_fi}" for p in parents) or "none"
        raise SourceError(
            SOURCE,
            f"municipality {kunta.code} {kunta.title_fi} should belong to exactly one {category} region "
            f"in its memberOf, found {found}",
            item="regions",
        )
    return parents[0]


def resolve_regions(regions: Iterable[Region], municipality_code: str) -> dict[str, Region]:
    """The municipality and the regions it belongs to, keyed by region level.

    Looks up (KUNTA, code) and then the MAAKUNTA, HYVINVOINTIALUE and MAA regions in its
    `memberOf`; ids are never hard-coded because THL has renumbered them before.
    Returns keys `kunta`, `maakunta`, `hyvinvointialue`, `koko_maa`.
    """
    regions = list(regions)
    code = municipality_code.strip()
    code = code.zfill(3) if code.isdigit() else code
    matches = [r for r in regions if r.category == "KUNTA" and r.code == code]
    if len(matches) != 1:
        problem = "unknown municipality code" if not matches else "municipality code is not unique"
        raise SourceError(SOURCE, f"{problem} {code!r} (category KUNTA) in /regions", item="regions")
    kunta = matches[0]
    by_id = {r.id: r for r in regions}
    resolved = {"kunta": kunta}
    for category in ("MAAKUNTA", "HYVINVOINTIALUE", "MAA"):
        resolved[REGION_LEVELS[category]] = _single_parent(kunta, by_id, category)
    return resolved


def municipalities_in(regions: Iterable[Region], parent_region_id: int) -> list[Region]:
    """All KUNTA regions whose memberOf contains the parent (e.g. a maakunta's municipalities)."""
    return [r for r in regions if r.category == "KUNTA" and parent_region_id in r.member_of]


def all_municipalities(regions: Iterable[Region]) -> list[Region]:
    return [r for r in regions if r.category == "KUNTA"]


__all__ = [
    "GENDERS",
    "LEVEL_NAMES",
    "IndicatorMeta",
    "Region",
    "SotkanetClient",
    "SotkanetRow",
    "TitleMatch",
    "all_municipalities",
    "available_level",
    "check_title",
    "indicator_warnings",
    "match_titles",
    "municipalities_in",
    "normalise_title",
    "resolve_regions",
    "titles_agree",
]
