"""Shared HTTP layer for the source clients (Sotkanet, StatFin PxWeb, THL cubes).

Why one layer: every public API we read has the same failure modes (rate limits, 5xx, slow or
silent servers, HTML error pages with status 200, truncated bodies) and the same courtesy rules
(descriptive User-Agent, few and spaced calls, conditional requests). Handling them once keeps
the clients small and makes every failure a `SourceError` that names source, item and URL.

Modules: `transport` (Request, Response, the `Transport` seam, counters, `SnapshotTransport`),
`live` (`RetryingHttp` on requests + urllib3 `Retry`, imported lazily by `_wire`), `body` (JSON
and HTML-with-200 checks), `cache` (ETag/Last-Modified cache), `redact` (no credentials in logs).
Importing this package does not import `requests`.
"""

from hyte_assets.lib.http.body import parse_json_body
from hyte_assets.lib.http.cache import CacheEntry, ResponseCache
from hyte_assets.lib.http.live import DEFAULT_USER_AGENT, RetryingHttp
from hyte_assets.lib.http.redact import redact_text, redact_url
from hyte_assets.lib.http.transport import (
    CacheStatus,
    FetchStats,
    HttpStats,
    Request,
    Response,
    SnapshotTransport,
    Transport,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "CacheEntry",
    "CacheStatus",
    "FetchStats",
    "HttpStats",
    "Request",
    "Response",
    "ResponseCache",
    "RetryingHttp",
    "SnapshotTransport",
    "Transport",
    "parse_json_body",
    "redact_text",
    "redact_url",
]
