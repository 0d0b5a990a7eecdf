"""Requests, responses, counters and the snapshot transport (no HTTP library needed here).

The `Transport` seam lets the clients run unchanged against live HTTP (`RetryingHttp`) or
recorded responses (`SnapshotTransport`), so snapshot mode exercises the same parsing and
validation code as live mode.

Snapshot naming: a client puts the relative file name into `Request.snapshot_path`; the
snapshot transport reads `<root>/<snapshot_path>`. The per-source conventions live with the
clients (see `sotkanet.py`, `pxweb.py`, `thl_cube.py`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http.body import parse_json_body
from hyte_assets.lib.http.redact import redact_url

CacheStatus = Literal["none", "not_modified", "hit"]


@dataclass(frozen=True)
class Request:
    """One logical request, independent of whether it is served live or from a snapshot.

    `params` is a sequence of pairs so that repeated keys (`years=2019&years=2020`) survive.
    `item` names what is being fetched (e.g. "indicator 181") for error messages.
    """

    source: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    json_body: Any = None
    item: str | None = None
    snapshot_path: str | None = None

    def full_url(self) -> str:
        """The URL with its query string as shown in errors and logs: credentials masked."""
        return redact_url(self.wire_url())

    def wire_url(self) -> str:
        """The URL with its query string as sent (may hold credentials: never log it)."""
        if not self.params:
            return self.url
        return f"{self.url}{'&' if '?' in self.url else '?'}{urlencode(self.params)}"

    def cache_key(self) -> str:
        """Method + URL + sorted params + body hash: equal requests share one cache entry."""
        body_hash = ""
        if self.json_body is not None:
            canonical = json.dumps(self.json_body, sort_keys=True, separators=(",", ":"))
            body_hash = hashlib.sha256(canonical.encode()).hexdigest()
        raw = "\n".join((self.method.upper(), self.url, urlencode(sorted(self.params)), body_hash))
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class Response:
    """A validated JSON response.

    `cache_status` is "none" for a fresh download, "not_modified" when the server answered 304
    to a conditional request, and "hit" when a fresh cache entry was used without any request.
    """

    request: Request
    status: int
    data: Any
    origin: str
    cache_status: CacheStatus = "none"

    @property
    def not_modified(self) -> bool:
        """True when no new body was downloaded (304 or fresh cache entry)."""
        return self.cache_status != "none"


class Transport(Protocol):
    """How clients obtain responses: live HTTP or recorded files."""

    def send(self, request: Request) -> Response: ...

    def set_min_interval(self, seconds: float) -> None: ...


@dataclass
class HttpStats:
    """Counters of one transport; `max_in_flight` is read by tests and the benchmark."""

    requests_sent: int = 0
    not_modified: int = 0
    cache_hits: int = 0
    retries: int = 0
    max_in_flight: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "requests_sent": self.requests_sent,
            "not_modified": self.not_modified,
            "cache_hits": self.cache_hits,
            "retries": self.retries,
            "max_in_flight": self.max_in_flight,
        }


@dataclass
class FetchStats:
    """Per-client outcome counters, reported as asset metadata (thread-safe)."""

    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    empty: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, response: Response) -> None:
        with self._lock:
            if response.not_modified:
                self.not_modified += 1
            else:
                self.fetched += 1

    def record_failure(self) -> None:
        with self._lock:
            self.failed += 1

    def record_empty(self, item: str) -> None:
        with self._lock:
            self.empty.append(item)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fetched": self.fetched,
                "not_modified": self.not_modified,
                "failed": self.failed,
                "empty": list(self.empty),
            }

    @contextmanager
    def counting_failures(self) -> Iterator[None]:
        """Count a `SourceError` raised inside the block as one failed call, then re-raise it."""
        try:
            yield
        except SourceError:
            self.record_failure()
            raise


class SnapshotTransport:
    """Serves recorded responses from `<root>/<request.snapshot_path>` through the same validation.

    Files hold the exact wire body of the API. A request without a snapshot path, or whose
    file is missing, fails with a `SourceError` naming the expected file.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.files_read: list[str] = []
        self._lock = threading.Lock()

    def set_min_interval(self, seconds: float) -> None:
        """Recorded files need no rate spacing; accepted so clients stay mode-agnostic."""

    def send(self, request: Request) -> Response:
        url = request.full_url()
        if request.snapshot_path is None:
            raise SourceError(
                request.source, "this request has no snapshot file name", url=url, item=request.item
            )
        path = (self.root / request.snapshot_path).resolve()
        if not path.is_relative_to(self.root):
            raise SourceError(
                request.source, "snapshot path escapes the snapshot folder", file=str(path), item=request.item
            )
        if not path.is_file():
            raise SourceError(
                request.source, f"snapshot file missing: {path}", url=url, item=request.item, file=str(path)
            )
        body = path.read_bytes()
        data = parse_json_body(
            body,
            content_type="application/json",
            source=request.source,
            url=url,
            item=request.item,
            file=str(path),
        )
        with self._lock:
            self.files_read.append(str(path))
        return Response(request=request, status=200, data=data, origin=str(path))
