"""Keep credentials in configured URLs out of logs, errors and cache metadata.

A deployment may put `user:password@` or a token query parameter into `HYTE_*_URL`. Every URL
we show goes through `redact_url`; every message we build (including texts of `requests` and
`urllib3` exceptions, which quote the path and query) goes through `redact_text`, which also
removes the secret values wherever they appear. The values seen are remembered so that a
filter on urllib3's own loggers can scrub its retry and debug lines too.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

MASK = "***"
# Query parameter names whose values are secrets (matched on the whole name, case-insensitive).
SECRET_PARAM = re.compile(
    r"(?i)^(?:.*[_-])?(?:token|access[_-]?token|api[_-]?key|apikey|key|secret|client[_-]?secret|"
    r"password|passwd|pwd|pass|auth|authorization|signature|sig|credentials?|session[_-]?id|sid)$"
)

_known: set[str] = set()
_known_lock = threading.Lock()


def _remember(values: list[str]) -> None:
    with _known_lock:
        for value in values:
            if len(value) >= 3:  # shorter values would mask ordinary text everywhere
                _known.update({value, quote(value, safe=""), quote_plus(value)})


def secrets_in(url: str, params: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The secret values inside a URL and its extra query parameters (and remember them)."""
    parts = urlsplit(url)
    found = [value for value in (parts.password,) if value]
    pairs = [pair.partition("=") for pair in parts.query.split("&") if pair]
    found += [value for name, _, value in pairs if SECRET_PARAM.match(name) and value]
    found += [value for name, value in params if SECRET_PARAM.match(name) and value]
    _remember(found)
    return found


def redact_url(url: str) -> str:
    """The URL with the user-info password and secret query values replaced by `***`."""
    if not secrets_in(url) and "@" not in urlsplit(url).netloc:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    query = "&".join(
        f"{name}={MASK}" if SECRET_PARAM.match(name) and sep else f"{name}{sep}{value}"
        for name, sep, value in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Replace every remembered secret value inside free text (longest first)."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Scrubs remembered secrets from records of loggers we do not own (urllib3's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_installed = False


def install_log_filter() -> None:
    """Attach `RedactingFilter` to urllib3's loggers once per process."""
    global _installed
    with _known_lock:
        if _installed:
            return
        _installed = True
    for name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.response"):
        logging.getLogger(name).addFilter(RedactingFilter())
