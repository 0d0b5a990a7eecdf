"""The report as PDF for the council's agenda system, printed by headless Chromium.

Page numbers come from the stylesheet's @page margin box (Chromium's own header and footer, which
would print the file's path, are switched off). Chromium is looked up, never installed here:
HYTE_CHROMIUM names a binary, else `chromium`, `chromium-browser` or `google-chrome` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BINARIES = ("chromium", "chromium-browser", "google-chrome")
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
    binary = find_chromium()
    if binary is None:
        return None
    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    tmp = pdf_path.with_name(pdf_path.name + ".tmp")
    with tempfile.TemporaryDirectory(prefix="hyte-pdf-") as profile:
        done = subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp}",
                html_path.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        raise RuntimeError(
            f"chromium did not print {html_path} to PDF ({done.returncode}): {done.stderr[-1500:]}"
        )
    os.replace(tmp, pdf_path)
    return pdf_path
