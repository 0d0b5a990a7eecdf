"""The report as HTML from the Jinja2 templates in templates/ (autoescaping on) in one language."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from hyte_assets.lib.report.charts import STYLES, ChartSpec, legend_svg, svg_chart
from hyte_assets.lib.report.data import ReportData
from hyte_assets.lib.report.texts import Fmt

TEMPLATES = Path(__file__).with_name("templates")
LABELLED_SECTIONS = ("liikunta", "elintavat")


@cache
def environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, also report.css.j2-style includes
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_charts(data: ReportData) -> dict[str, ChartSpec]:
    """The charts' contents per measure (language-neutral; drawn as SVG per report language)."""
    from hyte_assets.lib.report.view import chart_specs

    return chart_specs(data)


def chart_data_uri(spec: ChartSpec, title: str = "") -> str:
    """One chart as an SVG data URI (Finnish number format), e.g. for the Dagster UI's metadata."""
    svg = svg_chart(
        spec, Fmt("fi").axis_number, title=title, desc=title, unit_label=Fmt("fi").unit(spec.unit)
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def highlights(data: ReportData, charts: Mapping[str, Any], n: int = 3) -> list[str]:
    """The measures that moved most (in noise-band units) among those with a chart: for the UI."""
    moved = data.indicators.dropna(subset=["standardized_change"])
    moved = moved[moved["measure_id"].isin(list(charts))]
    order = moved.assign(size=moved["standardized_change"].abs()).sort_values("size", ascending=False)
    return list(dict.fromkeys(order["measure_id"]))[:n]


def render_report(
    data: ReportData,
    charts: Mapping[str, ChartSpec] | None = None,
    *,
    lang: str = "fi",
    generated_at: dt.datetime | None = None,
) -> str:
    """The whole report as one HTML document in `lang` ("fi" or "en")."""
    from hyte_assets.lib.report.sections import Sections, markdown_html
    from hyte_assets.lib.report.view import View, chart_specs

    f = Fmt(lang)
    view = View(data, dict(charts if charts is not None else chart_specs(data)), f)
    parts = Sections(data, f)
    demo, total = data.demo_counts()
    themes = [
        {
            "id": str(th["theme_id"]),
            "heading": f("theme_heading", no=th["theme_no"], title=f.title(th)),
            "summary": th.get("summary_fi" if f.fi else "summary_en") or "",
            "goals": [
                {**goal, "actions": parts.actions(goal["id"])} for goal in view.goals(str(th["theme_id"]))
            ],
            "gaps": parts.group_gaps(str(th["theme_id"])),
            "conclusions": markdown_html(data.texts.get(str(th["theme_id"]))),
            "text_path": f"{data.text_dir}/{th['theme_id']}.md",
        }
        for th in data.themes.to_dict("records")
    ]
    labelled = [
        {
            "id": key,
            "title": f(key),
            "text": markdown_html(data.texts.get(key)),
            "path": f"{data.text_dir}/{key}.md",
            "figures": view.section_figures(key),
        }
        for key in LABELLED_SECTIONS
    ]
    toc = [{"id": th["id"], "label": th["heading"]} for th in themes]
    toc += [{"id": "resurssit", "label": f("resources")}, {"id": "yhteistyo", "label": f("cooperation")}]
    toc += [{"id": s["id"], "label": s["title"]} for s in labelled]
    toc += [{"id": i, "label": f(k)} for i, k in (("teaviisari", "teaviisari"), ("hyte", "hyte"))]
    toc += [{"id": "vahimmaistiedot", "label": f("minimum")}, {"id": "freshness", "label": f("freshness")}]
    if data.kind == "council_term":
        start, end = data.term
        title = f("title_council_term", start=start, end=end)
    else:
        title = f("title_annual", year=data.year)
    legend_levels = [lvl for lvl in ("kunta", "maakunta", "koko_maa") if lvl in STYLES]
    legend = [{"key": legend_svg(lvl), "label": view.level_names[lvl]} for lvl in legend_levels]
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            t=f,
            lang=lang,
            title=title,
            subtitle=f("subtitle", name=data.municipality_name),
            generated=f(
                "generated",
                generated=f.datetime(generated_at or dt.datetime.now()),
                as_of=f.date(data.as_of),
            ),
            banner=f("banner", demo=demo, total=total) if demo else "",
            summary=view.summary(),
            toc=toc,
            themes=themes,
            labelled=labelled,
            legend=legend,
            year=data.year,
            municipality_name=data.municipality_name,
            comparison_name=data.comparison_name,
            resources=parts.resources(),
            cooperation={
                "text": markdown_html(data.texts.get("yhteistyo")),
                "path": f"{data.text_dir}/yhteistyo.md",
            },
            tea=parts.teaviisari(),
            hyte=parts.hyte(),
            minimum=parts.minimum(),
            sources=parts.sources(),
        )
    )


def report_filename(data: ReportData, lang: str) -> str:
    """vuosiraportti_<year>[_en].html, or hyvinvointikertomus_<start>-<end>[_en].html for a council term."""
    suffix = "" if lang == "fi" else f"_{lang}"
    if data.kind == "council_term":
        start, end = data.term
        return f"hyvinvointikertomus_{start}-{end}{suffix}.html"
    return f"vuosiraportti_{data.year}{suffix}.html"
