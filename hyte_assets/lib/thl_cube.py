"""Client for THL's open-data cube API (sampo.thl.fi "pivot", engine THLfi/tiku), plain Python.

Fetch only: it returns the parsed JSON after checking the top-level shape, and
`hyte_assets.lib.jsonstat.decode_thl_cube` turns it into rows. The cube answer is JSON-stat
with the 1.x layout (`id`/`size` inside `dimension`) and a sparse `value` object, which is why
it gets its own decoder rather than the json-stat2 one.

Requests: `GET {base}/{subject}/{hydra}/fact_{cube}.json` with repeatable `row=`, `column=`
and `filter=` parameters, each `<dimension>-<nodeId>` (dot-separated for several nodes), and
`GET .../fact_{cube}.dimensions.json` for the dimension tree.

Snapshot files mirror the URL path (relative to the snapshot root, exact wire bodies):

======================================  =========================================
`{subject}/{hydra}/fact_{cube}.json`    the recorded response to the query the
                                        pipeline sends for that cube
`{subject}/{hydra}/fact_{cube}.dimensions.json`  the dimension tree
======================================  =========================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import FetchStats, Request, RetryingHttp, Transport

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
    ) -> dict[str, Any]:
        """Fact data as JSON-stat; checks that the `dataset` object is there."""
        params = tuple(
            (key, value)
            for key, values in (("row", row), ("column", column), ("filter", filter))
            for value in ([values] if isinstance(values, str) else values)
        )
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
