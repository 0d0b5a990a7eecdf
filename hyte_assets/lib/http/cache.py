"""On-disk conditional-request cache (ETag / Last-Modified), one folder per source.

Kept instead of `requests-cache`; docs/architecture.md ("HTTP client") says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CacheEntry:
    body: bytes
    etag: str | None
    last_modified: str | None
    stored_at: float


class ResponseCache:
    """Response bodies with their validators.

    Layout: `<root>/<key[:2]>/<key>.body` and `<key>.meta.json`. Both are written atomically
    and the metadata records the body's hash, so a half-written or mismatched pair reads as a
    miss rather than as wrong data. The metadata's `url` is stored redacted (no credentials).
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
