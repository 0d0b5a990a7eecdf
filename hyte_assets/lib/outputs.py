"""Whether the derived outputs (serving file, exports, annual report) are whole and current.

A refresh skips rebuilding them when their inputs did not change; that is safe only when every
file they consist of is still there and intact. `output_problems` lists what is wrong (empty: all
good), so the skip logic rebuilds a truncated serving file, a deleted export or a deleted English
report instead of reporting success over them.
"""

from __future__ import annotations

from pathlib import Path

from hyte_assets.lib.exports import FORMATS, XLSX_MAX_ROWS, export_dir
from hyte_assets.lib.publish import PUBLICATION_TABLE, serving_path, serving_problems

REPORT_GLOB = "vuosiraportti_*.html"
REPORT_LANG_SUFFIXES = ("", "_en")  # vuosiraportti_<year>.html (Finnish) and _en.html (English)
_HTML_END = b"</html>"


def output_problems(kind: str, data_path: Path, working: str | Path) -> list[str]:
    """What is missing or broken among the outputs of `kind` ("publish", "exports", "vuosiraportti")."""
    serving = serving_path(working)
    if kind == "publish":
        return serving_problems(serving, working)
    if kind == "exports":
        return export_problems(serving, data_path / "exports")
    if kind == "vuosiraportti":
        return report_problems(data_path / "reports")
    raise ValueError(f"unknown output kind {kind!r}")


def export_problems(serving: Path, exports_root: Path) -> list[str]:
    """Every published `reports.*` table must have its Parquet, CSV and (if it fits) XLSX file."""
    from hyte_assets.lib.warehouse import connect

    try:
        with connect(serving, read_only=True) as con:
            tables = con.execute(
                f"select table_name, row_count from {PUBLICATION_TABLE} where table_name like 'reports.%'"
            ).fetchall()
    except Exception as exc:  # noqa: BLE001 - any failure to read the publication means "rebuild"
        return [f"cannot list the published tables in {serving}: {str(exc).splitlines()[0]}"]
    folder = export_dir(exports_root)
    expected = [
        folder / f"{name.partition('.')[2]}.{ext}"
        for name, rows in tables
        for ext in FORMATS
        if ext != "xlsx" or rows < XLSX_MAX_ROWS
    ]
    return [f"{path} is missing" for path in expected if not path.is_file()]


def report_problems(out_dir: Path) -> list[str]:
    """Each report year needs both languages, each a whole HTML file (ends with `</html>`)."""
    found = sorted(out_dir.glob(REPORT_GLOB))
    if not found:
        return [f"no annual report in {out_dir}"]
    years = {p.name.removeprefix("vuosiraportti_").removesuffix(".html").removesuffix("_en") for p in found}
    problems = []
    for year in sorted(years):
        for suffix in REPORT_LANG_SUFFIXES:
            path = out_dir / f"vuosiraportti_{year}{suffix}.html"
            if not path.is_file():
                problems.append(f"{path} is missing")
            elif not _ends_with_html(path):
                problems.append(f"{path} is cut short (no closing </html>)")
    return problems


def _ends_with_html(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 256, 0))
        return _HTML_END in handle.read().lower()
