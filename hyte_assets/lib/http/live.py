"""`RetryingHttp`: the live transport, on `requests` + `urllib3.util.Retry`.

The library does retries, backoff and Retry-After (`_wire.py` mounts it, lazily, so importing
the code location does not import `requests`). This class keeps what the library does not do:
the concurrency bound and call spacing, a deadline per request, the conditional-request cache,
HTML-with-200 detection, and one `SourceError` naming source, item and URL (credentials masked).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http.body import parse_json_body, snippet
from hyte_assets.lib.http.cache import ResponseCache
from hyte_assets.lib.http.redact import install_log_filter, redact_text, secrets_in
from hyte_assets.lib.http.transport import CacheStatus, HttpStats, Request, Response

if TYPE_CHECKING:
    import requests

log = logging.getLogger("hyte_assets.lib.http")

DEFAULT_USER_AGENT = "hyte_assets/0.1 (+Heinola welfare monitoring; contact via city)"


class RetryingHttp:
    """Live transport: one `requests.Session` with retries, deadlines, spacing and a concurrency bound.

    * Retries (urllib3 `Retry`): connection errors, read timeouts, 429 and 5xx, at most
      `max_retries` times, with urllib3's exponential backoff (`backoff_base * 2**(n-1)`, the
      first retry immediate, capped at `backoff_cap`), or the server's `Retry-After` (seconds
      or HTTP date, capped at `retry_after_cap`). Any other 4xx fails at once.
    * Deadlines: `deadline` seconds for the whole request (every connect, every read, every
      retry and wait); `attempt_deadline` for each try. Per-operation `timeout` alone never
      stops a server that drips a byte at a time. Errors name the deadline that ran out.
    * `max_concurrency` bounds simultaneous requests; `min_interval` spaces request starts,
      retries included (PxWeb allows `maxCalls` per `timeWindow` per IP).
    * With `cache_dir`, GET responses are cached and revalidated with If-None-Match /
      If-Modified-Since; a 304 returns the cached body. With `cache_ttl` (seconds) a younger
      entry is used without asking the server at all. POST is never cached or made
      conditional (a matching If-None-Match on POST means 412, not 304).
    * `sleep` and `clock` are injectable so tests do not wait (deadlines use the real clock).
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
        deadline: float = 300.0,
        attempt_deadline: float | None = 120.0,
        max_concurrency: int = 4,
        min_interval: float = 0.0,
        cache_dir: str | Path | None = None,
        cache_ttl: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
    ) -> None:
        from hyte_assets.lib.http import _wire

        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if deadline <= 0 or (attempt_deadline is not None and attempt_deadline <= 0):
            raise ValueError("deadline and attempt_deadline must be positive seconds")
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_after_cap = retry_after_cap
        self.deadline = deadline
        self.attempt_deadline = attempt_deadline
        self.cache = ResponseCache(cache_dir) if cache_dir is not None else None
        self.cache_ttl = cache_ttl
        self.stats = HttpStats()
        self._sleep = sleep
        self._clock = clock
        self._wire = _wire
        self._session = _wire.build_session(
            session,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            pool_size=max(max_concurrency, 10),
        )
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        install_log_filter()
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

    def _attempt_starts(self) -> None:
        """Called by the connection hook as each attempt goes on the wire."""
        self._wait_for_slot()
        self._count("requests_sent")

    @contextmanager
    def _in_flight_slot(self) -> Iterator[None]:
        with self._semaphore:
            with self._stats_lock:
                self._in_flight += 1
                self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
            try:
                yield
            finally:
                with self._stats_lock:
                    self._in_flight -= 1

    def _fail(self, request: Request, problem: str) -> SourceError:
        return SourceError(request.source, redact_text(problem), url=request.full_url(), item=request.item)

    def _send_with_retries(self, request: Request, headers: dict[str, str]) -> tuple[int, Any, bytes]:
        """One logical request through urllib3's retries, bounded by the deadlines."""
        import requests

        url = request.full_url()
        secrets_in(request.url, request.params)  # so urllib3's own log lines are scrubbed too

        def on_retry(last_error: str, wait: float) -> None:
            self._count("retries")
            log.warning("%s: %s for %s; retry in %.1fs", request.source, redact_text(last_error), url, wait)

        timeout = tuple(min(part, self.deadline) for part in self.timeout)
        deadline = None
        try:
            with self._in_flight_slot():  # the deadline starts once a slot is free
                deadline = self._wire.Deadline(
                    self.deadline,
                    self.attempt_deadline,
                    sleep=self._sleep,
                    on_attempt=self._attempt_starts,
                    on_retry=on_retry,
                    retry_after_cap=self.retry_after_cap,
                )
                with self._wire.active(deadline):
                    response = self._session.request(
                        request.method,
                        request.url,
                        params=list(request.params),
                        json=request.json_body,
                        headers=headers,
                        timeout=timeout,
                    )
                    body = response.content  # read inside the deadline
        except self._wire.DeadlineExceeded as exc:
            raise self._deadline_error(request, exc) from None
        except requests.RequestException as exc:
            assert deadline is not None
            if deadline.expired:
                raise self._deadline_error(request, deadline.error()) from None
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            cause = reason if isinstance(reason, Exception) else exc
            raise self._fail(
                request,
                f"gave up after {deadline.retries + 1} attempts; last error: {type(cause).__name__}: {cause}",
            ) from None
        status = response.status_code
        if status in self._wire.RETRY_STATUSES:
            raise self._fail(
                request,
                f"gave up after {deadline.retries + 1} attempts; last error: HTTP {status}: "
                f"{snippet(body)!r}",
            )
        if status >= 400:
            raise self._fail(request, f"HTTP {status} (not retried): {snippet(body)!r}")
        return status, response.headers, body

    def _deadline_error(self, request: Request, exc: Exception) -> SourceError:
        scope = getattr(exc, "scope", "request")
        setting = "deadline" if scope == "request" else "attempt_deadline"
        return self._fail(
            request,
            f"{exc}: no complete answer in time (connect + every read"
            f"{' + retries' if scope == 'request' else ''}); the server is silent or too slow "
            f"(RetryingHttp {setting}={getattr(exc, 'seconds', '?'):g} s)",
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

        status, response_headers, body = self._send_with_retries(request, headers)
        if status == 304:
            if entry is None or cache is None:
                raise self._fail(request, "HTTP 304 but no cached copy to reuse")
            self._count("not_modified")
            # Re-store to restart the TTL and pick up validators the 304 may have renewed.
            etag = response_headers.get("ETag") or entry.etag
            last_modified = response_headers.get("Last-Modified") or entry.last_modified
            cache.store(key, url, entry.body, etag, last_modified)
            return self._decode(request, 304, entry.body, "application/json", "not_modified")

        result = self._decode(request, status, body, response_headers.get("Content-Type", ""), "none")
        etag, last_modified = response_headers.get("ETag"), response_headers.get("Last-Modified")
        if cache is not None and (etag or last_modified or self.cache_ttl is not None):
            cache.store(key, url, body, etag, last_modified)
        return result

    def _decode(
        self, request: Request, status: int, body: bytes, content_type: str, cache_status: CacheStatus
    ) -> Response:
        url = request.full_url()
        try:
            data = parse_json_body(
                body, content_type=content_type, source=request.source, url=url, item=request.item
            )
        except SourceError as exc:  # an error page may echo the request, token included
            raise self._fail(request, exc.problem) from exc.__cause__
        return Response(request=request, status=status, data=data, origin=url, cache_status=cache_status)
