"""The welfare report for the council (vuosiraportti / laaja hyvinvointikertomus): data, charts,
templates, texts and the PDF. Importing this package is light: pandas, duckdb and jinja2 load when
a report is read or rendered."""

from hyte_assets.lib.report.data import ReportData, load_report_data, report_kind
from hyte_assets.lib.report.pdf import write_pdf, write_pdfs
from hyte_assets.lib.report.render import (
    chart_data_uri,
    highlights,
    render_charts,
    render_report,
    report_filename,
)

__all__ = [
    "ReportData",
    "chart_data_uri",
    "highlights",
    "load_report_data",
    "render_charts",
    "render_report",
    "report_filename",
    "report_kind",
    "write_pdf",
    "write_pdfs",
]
