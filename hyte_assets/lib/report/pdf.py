"""The report as PDF for the council's agenda system, printed by headless Chromium.

Page numbers come from the stylesheet's @page margin box (Chromium's own header and footer, which
would print the file's path, are switched off). Chromium is looked up, never installed here:
HYTE_CHROMIUM names a binary, else `chromium-headless-shell` (starts in half the time), `chromium`,
`chromium-browser` or `google-chrome` on PATH. One Chromium prints every file (lib/report/devtools.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hyte_assets.lib.report.devtools import print_pdfs

BINARIES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
# Off the network and away from any user profile (the report is one self-contained file).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    named = os.environ.get("HYTE_CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    return next((found for name in BINARIES if (found := shutil.which(name))), None)


def write_pdf(html_path: Path, pdf_path: Path | None = None, *, timeout_s: float = 180.0) -> Path | None:
    """Print html_path to PDF beside it (same name, .pdf); None when no Chromium is installed.

    Raises RuntimeError with Chromium's message when it runs but writes no PDF.
    """
    written = write_pdfs([html_path], [pdf_path or html_path.with_suffix(".pdf")], timeout_s=timeout_s)
    return written[0] if written else None


def write_pdfs(
    html_paths: list[Path], pdf_paths: list[Path] | None = None, *, timeout_s: float = 180.0
) -> list[Path]:
    """Print each HTML file to its PDF (default: beside it) with one Chromium, all within timeout_s;
    [] without Chromium. All or nothing: a failure (RuntimeError naming the file) replaces no PDF."""
    binary = find_chromium()
    if binary is None or not html_paths:
        return []
    targets = pdf_paths or [path.with_suffix(".pdf") for path in html_paths]
    temps = [pdf_path.with_name(pdf_path.name + ".tmp") for pdf_path in targets]
    try:
        with tempfile.TemporaryDirectory(prefix="hyte-pdf-") as profiles:
            print_pdfs(
                binary,
                FLAGS,
                Path(profiles) / "profile",
                list(zip(html_paths, temps, strict=True)),
                timeout_s,
            )
        for tmp in temps:
            if not tmp.read_bytes().startswith(b"%PDF-"):
                raise RuntimeError(f"chromium wrote no PDF to {tmp}")
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, pdf_path in zip(temps, targets, strict=True):
        os.replace(tmp, pdf_path)
    return list(targets)
