"""The summary, scorecards and charts as plain values for the templates (no HTML here but SVG).

The summary's sentences are generated from the scorecard: which measures improved or worsened
beyond their noise band, how many could not be judged, and the hyte-kerroin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.report.charts import ChartSpec, Line, svg_chart
from hyte_assets.lib.report.data import ReportData
from hyte_assets.lib.report.texts import Fmt, published_summary, records

if TYPE_CHECKING:
    import pandas as pd

# A chart needs the municipality's own series or a comparison area's; these levels are drawn.
CHART_LEVELS = ("kunta", "maakunta", "hyvinvointialue", "koko_maa")
ANNUAL_WINDOW_YEARS = 7


def chart_specs(data: ReportData) -> dict[str, ChartSpec]:
    """One chart per measure with any chartable value (yes/no measures get a status instead)."""
    import pandas as pd

    first = data.indicators.drop_duplicates("measure_id").set_index("measure_id")
    series = data.series
    if data.kind == "annual":
        series = series[series["year"] > data.year - ANNUAL_WINDOW_YEARS]
    specs = {}
    for measure_id, rows in series.groupby("measure_id", sort=False):
        row = first.loc[measure_id] if measure_id in first.index else None
        unit = "" if row is None else str(row["unit"])
        if unit == "yes_no":
            continue
        lines = [
            Line(level, tuple(part["x"]), tuple(part["value"]))
            for level in CHART_LEVELS
            if len(part := rows[rows["region_level"] == level])
        ]
        band, band_x = None, None
        # The band that decides the verdict: the comparison point widened by the change interval's
        # half-width; a latest value outside it is a change the two-sample test calls real.
        if row is not None and pd.notna(row["comparison_value"]) and pd.notna(row["change_low"]):
            half = (float(row["change_high"]) - float(row["change_low"])) / 2
            band = (float(row["comparison_value"]) - half, float(row["comparison_value"]) + half)
            ref = pd.to_numeric(str(row["comparison_period"])[:4], errors="coerce")
            start = float(ref) if pd.notna(ref) else float(rows["x"].min())
            band_x = (start, float(rows["x"].max()))
        target = None if row is None or pd.isna(row["target"]) else float(row["target"])
        specs[str(measure_id)] = ChartSpec(
            lines=lines, unit=unit, target=target, band=band, band_x=band_x, demo=bool(rows["is_demo"].any())
        )
    return specs


class View:
    """Builds the template's values for one language."""

    def __init__(self, data: ReportData, specs: dict[str, ChartSpec], fmt: Fmt) -> None:
        self.data, self.specs, self.f = data, specs, fmt
        first_group = data.series.drop_duplicates("measure_id").set_index("measure_id")["group_value"]
        self.groups = first_group.to_dict()
        self.level_names = {
            "kunta": data.municipality_name,
            "maakunta": data.comparison_name,
            "hyvinvointialue": data.comparison_name,
            "koko_maa": fmt("country"),
        }

    # --- summary -----------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        f, ind = self.f, self.data.indicators.drop_duplicates("measure_id")
        judged = ind[ind["is_judged"].astype(bool)]
        sentences = []
        for status, key in (("improving", "summary_improved"), ("worsening", "summary_worsened")):
            rows = judged[judged["status"] == status]
            size = rows["standardized_change"].abs().fillna(0)
            top = rows.assign(size=size).sort_values("size", ascending=False).head(3)
            items = ", ".join(f.title(r) for r in records(top))
            sentences.append(f(key, n=len(rows), items=items) if len(rows) else f(f"{key}_none"))
        sentences.append(f("summary_stable", n=int((judged["status"] == "stable").sum())))
        sentences.append(f("summary_not_judged", n=len(ind) - len(judged), total=len(ind)))
        kerroin = self.data.hyte.get("reports.hyte_kerroin")
        if published := published_summary(self.data.hyte, f):  # the hyte model's own sentence
            sentences.append(published)
        elif kerroin is not None and len(kerroin):
            k = kerroin.iloc[0]
            sentences.append(
                f(
                    "summary_hyte",
                    year=k["payment_year"],
                    coef=f.number(k["coefficient"], 3),
                    eur=f.number(k["eur_per_resident"], 2),
                )
            )
        else:
            sentences.append(f("summary_hyte_missing"))
        columns = ("measures_total", "measures_with_data", "n_improving", "n_stable", "n_worsening")
        columns += ("n_target_met", "n_not_judged")
        table = [
            {
                "title": f.title(th),
                "demo": bool(th.get("any_demo")),
                "cells": [f.number(th[c]) for c in columns],
            }
            for th in records(self.data.themes)
        ]
        return {"sentences": sentences, "table": table}

    # --- themes and goals --------------------------------------------------------------------

    def goals(self, theme_id: str) -> list[dict[str, Any]]:
        f, goals = self.f, self.data.goals
        out = []
        for goal in records(goals[goals["theme_id"] == theme_id]):
            rows = self.data.indicators[self.data.indicators["goal_id"] == goal["goal_id"]]
            worst = goal.get("worst_moving")
            out.append(
                {
                    "id": str(goal["goal_id"]),
                    "heading": f("goal_heading", no=goal["goal_no"], title=f.title(goal)),
                    "summary": goal.get("summary_fi" if f.fi else "summary_en") or "",
                    "worst": f("worst", items=worst) if isinstance(worst, str) and worst else "",
                    "scorecard": self.scorecard(rows),
                    "charts": self.figures(rows),
                    "statuses": self.yes_no(rows),
                }
            )
        return out

    def scorecard(self, rows: pd.DataFrame) -> list[dict[str, Any]]:
        import pandas as pd

        f, out, previous = self.f, [], None
        for row in records(rows):
            unit, first = str(row["unit"]), row["measure_id"] != previous
            previous = row["measure_id"]
            out.append(
                {
                    "measure_id": row["measure_id"],
                    "title": f.title(row) if first else "",
                    "group": "" if row["group_type"] == "total" else str(row["group_value"]),
                    "latest": f.value(row["latest_value"], unit),
                    "latest_period": _text(row["latest_period"]),
                    # each figure carries its own demo flag: a real latest value beside a demo
                    # comparison point gets no badge (docs/report-tables.md, scorecard columns)
                    "latest_demo": bool(row["latest_is_demo"]) and pd.notna(row["latest_value"]),
                    "low_response": f("low_response") if bool(row["is_low_response"]) else "",
                    # a stand-in figure (the catalog's maakunta fallback) says whose it is; a gap
                    # says why when the indicator has no municipality level
                    "figure_note": _figure_note(row, f),
                    "baseline": f.value(row["comparison_value"], unit),
                    "baseline_period": _text(row["comparison_period"]),
                    "baseline_demo": bool(row["comparison_point_is_demo"])
                    and pd.notna(row["comparison_value"]),
                    # "Muutos" is always latest minus the comparison point shown beside it
                    "change": f.number(row["change"]),
                    "maakunta": f.value(row["maakunta_value"], unit),
                    "koko_maa": f.value(row["koko_maa_value"], unit),
                    "comparison_demo": bool(row["comparison_is_demo"])
                    and (pd.notna(row["maakunta_value"]) or pd.notna(row["koko_maa_value"])),
                    "status": f.status(str(row["status"]), bool(row["is_judged"]), row["not_judged_reason"]),
                    "trend": f("pre_plan_trend", trend=f(str(row["pre_plan_trend"])))
                    if isinstance(row["pre_plan_trend"], str)
                    else "",
                    "age": "–"
                    if pd.isna(row["data_age_years"])
                    else f("years", n=int(row["data_age_years"])),
                    "source": f.source(row["source"]),
                    "movement": "",  # which group moved: set under a multi-group measure's last row
                    "movement_demo": False,
                }
            )
        return self._with_movement(out)

    def _with_movement(self, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Under each multi-group measure's last group row, the sentence of reports.group_movement
        saying which group moved (table absent or measure with one group: nothing)."""
        moved = self.data.group_movement
        if moved is None or moved.empty:
            return out
        column = "summary_fi" if self.f.fi else "summary_en"
        lines = {r["measure_id"]: r for r in records(moved)}
        for row, after in zip(out, [*out[1:], None], strict=True):
            line = lines.get(row["measure_id"])
            if line is not None and (after is None or after["measure_id"] != row["measure_id"]):
                row["movement"] = self.f("group_movement", text=line[column])
                row["movement_demo"] = bool(line["status_rests_on_demo"])
        return out

    def yes_no(self, rows: pd.DataFrame) -> list[str]:
        """Yes/no measures as a sentence each, not as a line stuck at 100."""
        f = self.f
        rows = rows[(rows["unit"] == "yes_no") & rows["latest_value"].notna()].drop_duplicates("measure_id")
        return [
            f(
                "yes_no_status",
                label=f.title(r),
                value=f.value(r["latest_value"], "yes_no"),
                period=r["latest_period"],
            )
            for r in records(rows)
        ]

    def figures(self, rows: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            self.figure(str(r["measure_id"]), self.f.title(r))
            for r in records(rows.drop_duplicates("measure_id"))
            if str(r["measure_id"]) in self.specs
        ]

    def figure(self, measure_id: str, title: str) -> dict[str, Any]:
        """The SVG, its text alternative (every value said in words) and the same numbers as a table."""
        f, spec = self.f, self.specs[str(measure_id)]
        group = self.groups.get(measure_id)
        if group and group != "total":
            title += f" ({group})"
        unit = f.unit(spec.unit)
        parts = []
        for line in spec.lines:
            points = ", ".join(f"{_year(x)} {f.number(y)}" for x, y in zip(line.x, line.y, strict=True))
            parts.append(f("chart_series", label=self.level_names[line.level], points=points))
        desc = f("chart_alt", title=title, series="; ".join(parts))
        if spec.target is not None:
            desc += " " + f("chart_alt_target", value=f.number(spec.target))
        if spec.band is not None:
            desc += " " + f("chart_alt_band", low=f.number(spec.band[0]), high=f.number(spec.band[1]))
        unit_label = f("chart_unit", unit=unit) if unit else ""
        years = sorted({_year(x) for line in spec.lines for x in line.x})
        by_level = {
            line.level: {_year(x): f.number(y) for x, y in zip(line.x, line.y, strict=True)}
            for line in spec.lines
        }
        return {
            "measure_id": str(measure_id),
            "caption": title,
            "svg": svg_chart(
                spec, f.axis_number, title=title, desc=desc, unit_label=unit, target_label=f("target")
            ),
            "desc": desc,
            "table_label": f("chart_table"),
            "unit_label": unit_label,
            "table_head": [f("year"), *(self.level_names[line.level] for line in spec.lines)],
            "table_rows": [
                [str(y), *(by_level[line.level].get(y, "–") for line in spec.lines)] for y in years
            ],
        }

    def section_figures(self, section: str) -> list[dict[str, Any]]:
        """Charts of the measures data/catalog/report_sections.csv lists for a labelled section."""
        listing = self.data.section_measures
        if listing is None:
            return []
        wanted = listing.loc[listing["section_id"] == section, "measure_id"].tolist()
        ind = self.data.indicators.drop_duplicates("measure_id").set_index("measure_id")
        return [
            self.figure(m, self.f.title(ind.loc[m].to_dict()))
            for m in wanted
            if m in self.specs and m in ind.index
        ]


def _figure_note(row: dict[str, Any], f: Fmt) -> str:
    """The label of a figure that is not the municipality's own, or "no municipality level"."""
    label = row.get("figure_label_fi" if f.fi else "figure_label_en")
    if isinstance(label, str) and label:
        return label
    return f("no_municipality_level") if row.get("source_status") == "no_municipality_level" else ""


def _year(x: float) -> int:
    return int(math.floor(x + 1e-9))


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
