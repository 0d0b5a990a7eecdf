"""Shared HTTP layer for the source clients (Sotkanet, StatFin PxWeb, THL cubes).

Why one layer: every public API we read has the same failure modes (rate limits, 5xx, slow
answers, HTML error pages with status 200, truncated bodies) and the same courtesy rules
(descriptive User-Agent, few and spaced calls, conditional requests). Handling them once
keeps the clients small and makes every failure a `SourceError` that names source, item and URL.

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
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

import requests

from hyte_assets.lib.errors import SourceError

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "hyte_assets/0.1 (+Heinola welfare monitoring; contact via city)"
RETRYABLE_EXCEPTIONS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

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
        """The URL with its query string, as shown in errors and logs."""
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url

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


def _snippet(body: bytes, limit: int = 160) -> str:
    text = " ".join(body[: limit * 4].decode("utf-8", errors="replace").split())
    return text[:limit] + ("…" if len(text) > limit else "")


def parse_json_body(
    body: bytes,
    *,
    content_type: str,
    source: str,
    url: str | None,
    item: str | None,
    file: str | None = None,
) -> Any:
    """Decode a JSON body or raise a `SourceError` that says what actually came back.

    Gateways and maintenance pages answer with HTML and status 200, and dropped connections
    leave truncated JSON; both must stop the run with a readable message, not a
    JSONDecodeError deep inside a parser.
    """
    stripped = body.lstrip()
    if "text/html" in content_type.lower() or stripped.startswith(b"<"):
        raise SourceError(
            source, f"expected JSON, got HTML error page: {_snippet(body)!r}", url=url, item=item, file=file
        )
    if not stripped:
        raise SourceError(source, "expected JSON, got an empty body", url=url, item=item, file=file)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            source, f"expected UTF-8 JSON, undecodable byte at {exc.start}", url=url, item=item, file=file
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        end = len(text.rstrip())
        if _is_cut_short(text):
            problem = f"truncated JSON at char {end}: the body ends inside an open value ({exc.msg})"
        else:
            problem = f"invalid JSON at char {exc.pos}: {exc.msg}"
        raise SourceError(source, problem, url=url, item=item, file=file) from exc


def _is_cut_short(text: str) -> bool:
    """True when the text ends inside a string or with unclosed brackets, i.e. it was cut off."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return in_string or depth > 0


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


@dataclass(frozen=True)
class CacheEntry:
    body: bytes
    etag: str | None
    last_modified: str | None
    stored_at: float


class ResponseCache:
    """On-disk cache of response bodies with their validators (ETag, Last-Modified).

    Layout: `<root>/<key[:2]>/<key>.body` and `<key>.meta.json`. Both are written atomically
    and the metadata records the body's hash, so a half-written or mismatched pair reads as a
    miss rather than as wrong data.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.body", folder / f"{key}.meta.json"

    def load(self, key: str) -> CacheEntry | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None
        return CacheEntry(body, meta.get("etag"), meta.get("last_modified"), float(meta.get("stored_at", 0)))

    def store(self, key: str, url: str, body: bytes, etag: str | None, last_modified: str | None) -> None:
        body_path, meta_path = self._paths(key)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": url,
            "etag": etag,
            "last_modified": last_modified,
            "sha256": hashlib.sha256(body).hexdigest(),
            "stored_at": time.time(),
        }
        _atomic_write(body_path, body)
        _atomic_write(meta_path, json.dumps(meta, indent=1).encode())


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RetryingHttp:
    """Live transport: one `requests.Session` with retries, backoff, spacing and a concurrency bound.

    * Retries connection errors, timeouts, 429 and 5xx with exponential backoff
      (`backoff_base * 2**attempt`, capped at `backoff_cap`), honouring a seconds-form
      `Retry-After` (capped at `retry_after_cap`; the HTTP-date form falls back to backoff).
    * Any other 4xx fails at once: retrying a bad request only burns the rate limit.
    * `max_concurrency` bounds simultaneous requests; `min_interval` spaces request starts
      (PxWeb allows `maxCalls` per `timeWindow` per IP).
    * With `cache_dir`, GET responses are cached and revalidated with If-None-Match /
      If-Modified-Since; a 304 returns the cached body. With `cache_ttl` (seconds) a younger
      entry is used without asking the server at all. POST is never cached or made
      conditional (a matching If-None-Match on POST means 412, not 304).
    * `sleep` and `clock` are injectable so tests do not wait.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: tuple[float, float] = (10.0, 60.0),
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        retry_after_cap: float = 120.0,
        max_concurrency: int = 4,
        min_interval: float = 0.0,
        cache_dir: str | Path | None = None,
        cache_ttl: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.cache = ResponseCache(cache_dir) if cache_dir is not None else None
        self.cache_ttl = cache_ttl
        self.stats = HttpStats()
        self._sleep = sleep
        self._clock = clock
        self._session = session or requests.Session()
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self._semaphore = threading.BoundedSemaphore(max_concurrency)
        self._stats_lock = threading.Lock()
        self._in_flight = 0
        self._spacing_lock = threading.Lock()
        self._min_interval = min_interval
        self._next_slot = 0.0

    @property
    def min_interval(self) -> float:
        return self._min_interval

    def set_min_interval(self, seconds: float) -> None:
        with self._spacing_lock:
            self._min_interval = max(0.0, seconds)

    def close(self) -> None:
        self._session.close()

    def _count(self, name: str) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def _wait_for_slot(self) -> None:
        """Reserve the next start time under a lock, then sleep outside it (thread-safe spacing)."""
        with self._spacing_lock:
            if self._min_interval <= 0:
                return
            now = self._clock()
            start = max(now, self._next_slot)
            self._next_slot = start + self._min_interval
        if start > now:
            self._sleep(start - now)

    @contextmanager
    def _in_flight_slot(self) -> Iterator[None]:
        with self._semaphore:
            self._wait_for_slot()
            with self._stats_lock:
                self._in_flight += 1
                self.stats.requests_sent += 1
                self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
            try:
                yield
            finally:
                with self._stats_lock:
                    self._in_flight -= 1

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
        return min(max(seconds, 0.0), self.retry_after_cap)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2**attempt)

    def _send_with_retries(self, request: Request, headers: dict[str, str]) -> requests.Response:
        url = request.full_url()
        last_error = "no attempt made"
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            delay: float | None = None
            try:
                with self._in_flight_slot():
                    response = self._session.request(
                        request.method,
                        request.url,
                        params=list(request.params),
                        json=request.json_body,
                        headers=headers,
                        timeout=self.timeout,
                    )
            except RETRYABLE_EXCEPTIONS as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status == 429 or status >= 500:
                    last_error = f"HTTP {status}: {_snippet(response.content)!r}"
                    delay = self._retry_after(response)
                else:
                    raise SourceError(
                        request.source,
                        f"HTTP {status} (not retried): {_snippet(response.content)!r}",
                        url=url,
                        item=request.item,
                    )
            if attempt == attempts - 1:
                break
            wait = self._backoff(attempt) if delay is None else delay
            log.warning(
                "%s: %s for %s; retry %d/%d in %.1fs",
                request.source,
                last_error,
                url,
                attempt + 1,
                self.max_retries,
                wait,
            )
            self._count("retries")
            self._sleep(wait)
        raise SourceError(
            request.source,
            f"gave up after {attempts} attempts; last error: {last_error}",
            url=url,
            item=request.item,
        )

    def send(self, request: Request) -> Response:
        """Fetch, retrying as documented, and return the validated JSON response."""
        url = request.full_url()
        cache = self.cache if request.method.upper() == "GET" else None
        key = request.cache_key()
        entry = cache.load(key) if cache is not None else None
        if (
            entry is not None
            and self.cache_ttl is not None
            and time.time() - entry.stored_at < self.cache_ttl
        ):
            self._count("cache_hits")
            return self._decode(request, 200, entry.body, "application/json", "hit")

        headers: dict[str, str] = {}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified

        response = self._send_with_retries(request, headers)
        if response.status_code == 304:
            if entry is None or cache is None:
                raise SourceError(
                    request.source, "HTTP 304 but no cached copy to reuse", url=url, item=request.item
                )
            self._count("not_modified")
            # Re-store to restart the TTL and pick up validators the 304 may have renewed.
            etag = response.headers.get("ETag") or entry.etag
            last_modified = response.headers.get("Last-Modified") or entry.last_modified
            cache.store(key, url, entry.body, etag, last_modified)
            return self._decode(request, 304, entry.body, "application/json", "not_modified")

        result = self._decode(
            request, response.status_code, response.content, response.headers.get("Content-Type", ""), "none"
        )
        etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if cache is not None and (etag or last_modified or self.cache_ttl is not None):
            cache.store(key, url, response.content, etag, last_modified)
        return result

    @staticmethod
    def _decode(
        request: Request, status: int, body: bytes, content_type: str, cache_status: CacheStatus
    ) -> Response:
        url = request.full_url()
        data = parse_json_body(
            body, content_type=content_type, source=request.source, url=url, item=request.item
        )
        return Response(request=request, status=status, data=data, origin=url, cache_status=cache_status)


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
