"""Client for Statistics Finland's PxWeb API v1 (StatFin), plain Python.

Why it looks like this:

* Rate limits are per IP and published at `<api root>/?config` (`maxCalls` per `timeWindow`
  seconds). The client reads them before its first table call and spaces calls by
  `timeWindow / maxCalls`; if `?config` cannot be read it falls back to a conservative
  `fallback_min_interval` (1.5 s, today's published value).
* The 8 June 2026 change renamed variable codes, so callers should find variables by role or
  by a marker value (`find_variable`) and check content codes against the table's metadata
  (`check_content_codes`) before querying, instead of trusting codes copied from old code.
* The client returns the parsed JSON (json-stat2 by default) after checking its top-level
  keys; decoding lives in `hyte_assets.lib.jsonstat`.

API root derivation: the root is `base_url` up to and including `/api/v1/<lang>`, e.g.
`https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin` -> `https://pxdata.stat.fi/PXWeb/api/v1/fi`,
and the limits come from `<root>/?config`.

Snapshot files (relative to the snapshot root, exact wire bodies; `table` is e.g. `tyonv/12r5`
and `/` becomes `__`):

===============================  ==============================================
`config.json`                    `GET <api root>/?config`
`{table}.meta.json`              `GET {base}/{table}.px` (e.g. `tyonv__12r5.meta.json`)
`{table}.data.json`              `POST {base}/{table}.px`: the recorded response to
                                 the query the pipeline sends for that table
===============================  ==============================================
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import FetchStats, Request, RetryingHttp, Transport
from hyte_assets.lib.pxweb_meta import (  # re-exported: callers import them from here
    QueryPlan,
    check_content_codes,
    find_area_variable,
    find_variable,
    plan_query,
    sex_content_codes,
)

log = logging.getLogger(__name__)

SOURCE = "statfin"
DEFAULT_BASE_URL = "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin"
FALLBACK_MIN_INTERVAL = 1.5
# The monthly employment review (tyonv/12r5) figures the pipeline keeps; the long-term
# unemployed share is derived from two of them (reference notes §6).
EMPLOYMENT_TABLE = "tyonv/12r5"
EMPLOYMENT_CODES = (
    "TYOTOSUUS",
    "TYOTTOMATLOPUSSA",
    "TYOVOIMATK",
    "TYOTTOMAT25",
    "PITKAAIKAISTYOTTOMAT",
    "TYOTTOMATULK",
)
# Registered unemployed by sex in 12r5 (reference notes §6); asked only where the metadata lists them.
EMPLOYMENT_SEX_CODES = {"male": "TYOTTOMATMIEHET", "female": "TYOTTOMATNAISET"}
# Top-level keys each supported response format must have.
RESPONSE_KEYS = {
    "json-stat2": ("class", "id", "size", "dimension", "value"),
    "json": ("columns", "data"),
}
_API_ROOT = re.compile(r"^(?P<root>.+?/api/v1/[^/?#]+)(?:[/?#]|$)", re.IGNORECASE)

# A selection per variable code: (filter, values), e.g. ("item", ["KU111"]) or ("top", ["13"]).
Selections = Mapping[str, tuple[str, Sequence[str]]]


def api_root(base_url: str) -> str:
    """`https://host/PXWeb/api/v1/fi/StatFin` -> `https://host/PXWeb/api/v1/fi`."""
    match = _API_ROOT.match(base_url)
    if match is None:
        raise ValueError(f"base URL {base_url!r} does not contain /api/v1/<lang>")
    return match["root"]


def _table_path(table: str) -> str:
    path = table.strip().strip("/")
    path = path.removesuffix(".px")
    if not path or ".." in path.split("/"):
        raise ValueError(f"invalid table path {table!r}")
    return path


class PxWebClient:
    """Reads table metadata and queries tables of one PxWeb v1 database.

    Without an explicit `transport` a live `RetryingHttp` with `max_concurrency=1` is used:
    limits are per IP, so calls go one after another.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: Transport | None = None,
        fallback_min_interval: float = FALLBACK_MIN_INTERVAL,
        auto_config: bool = True,
        source: str = SOURCE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.root = api_root(self.base_url)
        self.transport = transport or RetryingHttp(max_concurrency=1, min_interval=fallback_min_interval)
        self.fallback_min_interval = fallback_min_interval
        self.source = source
        self.stats = FetchStats()
        self.config: dict[str, Any] | None = None
        self.min_interval: float | None = None
        self._auto_config = auto_config
        self._config_lock = threading.Lock()

    def _send(self, request: Request) -> tuple[Any, str]:
        response = self.transport.send(request)
        self.stats.record(response)
        return response.data, response.origin

    def api_config(self) -> dict[str, Any] | None:
        """Read `?config` and space calls by `timeWindow / maxCalls` seconds.

        On any failure the fallback spacing is used and None is returned, because a missing
        config must not stop the run but must not lift the throttle either.
        """
        request = Request(
            source=self.source,
            method="GET",
            url=f"{self.root}/?config",
            item="?config",
            snapshot_path="config.json",
        )
        interval = self.fallback_min_interval
        config: dict[str, Any] | None = None
        try:
            data, url = self._send(request)
            if not (
                isinstance(data, dict)
                and _positive(data.get("maxCalls"))
                and _positive(data.get("timeWindow"))
            ):
                raise SourceError(
                    self.source,
                    f"?config lacks positive maxCalls/timeWindow: {data!r}",
                    url=url,
                    item="?config",
                )
            interval = data["timeWindow"] / data["maxCalls"]
            config = data
        except SourceError as exc:
            self.stats.record_failure()
            log.warning("%s; spacing calls by the fallback %.2fs", exc, interval)
        self.transport.set_min_interval(interval)
        self.config, self.min_interval = config, interval
        return config

    def _ensure_config(self) -> None:
        if not self._auto_config:
            return
        with self._config_lock:
            if self.min_interval is None:
                self.api_config()

    def _table_request(self, path: str, method: str, kind: str, body: Any = None) -> Request:
        """`{base}/{path}.px`: GET reads the metadata, POST queries; each kind has its snapshot file."""
        return Request(
            source=self.source,
            method=method,
            url=f"{self.base_url}/{path}.px",
            json_body=body,
            item=f"table {path}",
            snapshot_path=f"{path.replace('/', '__')}.{kind}.json",
        )

    def table_metadata(self, table: str) -> dict[str, Any]:
        """`GET {base}/{table}.px`: title and variables (code, text, values, valueTexts, time …)."""
        path = _table_path(table)
        item = f"table {path}"
        self._ensure_config()
        request = self._table_request(path, "GET", "meta")
        with self.stats.counting_failures():
            data, url = self._send(request)
            self._check_metadata(data, url, item)
        return data

    def _check_metadata(self, data: Any, url: str, item: str) -> None:
        if not isinstance(data, dict) or "title" not in data or not isinstance(data.get("variables"), list):
            raise SourceError(
                self.source, "table metadata needs 'title' and a 'variables' list", url=url, item=item
            )
        for index, variable in enumerate(data["variables"]):
            if not isinstance(variable, dict) or not isinstance(variable.get("code"), str):
                raise SourceError(self.source, "variable without a 'code'", url=url, item=item, row=index)
            if not isinstance(variable.get("values"), list):
                raise SourceError(
                    self.source,
                    f"variable {variable['code']!r} has no 'values' list",
                    url=url,
                    item=item,
                    row=index,
                )

    def query(
        self, table: str, selections: Selections, response_format: str = "json-stat2"
    ) -> dict[str, Any]:
        """`POST {base}/{table}.px` with one selection per variable; returns the parsed response.

        Variables left out follow their `elimination` flag on the server (total or all values).
        """
        if response_format not in RESPONSE_KEYS:
            raise ValueError(f"response_format must be one of {sorted(RESPONSE_KEYS)}")
        path = _table_path(table)
        item = f"table {path}"
        body = {
            "query": [_selection(code, spec) for code, spec in selections.items()],
            "response": {"format": response_format},
        }
        self._ensure_config()
        request = self._table_request(path, "POST", "data", body)
        with self.stats.counting_failures():
            try:
                data, url = self._send(request)
            except SourceError as exc:
                if not exc.problem.startswith("HTTP 400"):
                    raise
                asked = "; ".join(f"{code}={list(values)}" for code, (_, values) in selections.items())
                raise SourceError(
                    self.source,
                    f"{exc.problem}; the query asked {asked} (a value the table does not list gives 400)",
                    url=exc.url,
                    item=item,
                ) from exc
            missing = [
                k for k in RESPONSE_KEYS[response_format] if not isinstance(data, dict) or k not in data
            ]
            if missing:
                raise SourceError(
                    self.source,
                    f"{response_format} response lacks top-level key(s) {missing}",
                    url=url,
                    item=item,
                )
            if response_format == "json-stat2" and data["class"] != "dataset":
                raise SourceError(
                    self.source, f"expected class 'dataset', got {data['class']!r}", url=url, item=item
                )
        return data


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _selection(code: str, spec: tuple[str, Sequence[str]]) -> dict[str, Any]:
    filter_, values = spec
    if not filter_ or isinstance(values, str) or not values:
        raise ValueError(
            f"selection for {code!r} needs a filter and a non-empty list of values, got {spec!r}"
        )
    return {"code": code, "selection": {"filter": filter_, "values": [str(v) for v in values]}}


__all__ = [
    "EMPLOYMENT_CODES",
    "EMPLOYMENT_SEX_CODES",
    "EMPLOYMENT_TABLE",
    "PxWebClient",
    "QueryPlan",
    "api_root",
    "check_content_codes",
    "find_area_variable",
    "find_variable",
    "plan_query",
    "sex_content_codes",
]
