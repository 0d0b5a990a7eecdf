"""JSON body validation shared by the live and the snapshot transport.

Gateways and maintenance pages answer with HTML and status 200, and dropped connections leave
truncated JSON; both must stop the run with a readable message, not a JSONDecodeError deep
inside a parser. No HTTP library does this for us.
"""

from __future__ import annotations

import json
from typing import Any

from hyte_assets.lib.errors import SourceError


def snippet(body: bytes, limit: int = 160) -> str:
    """The start of a body on one line, for error messages."""
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
    """Decode a JSON body or raise a `SourceError` that says what actually came back."""
    stripped = body.lstrip()
    if "text/html" in content_type.lower() or stripped.startswith(b"<"):
        raise SourceError(
            source, f"expected JSON, got HTML error page: {snippet(body)!r}", url=url, item=item, file=file
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
