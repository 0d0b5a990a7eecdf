"""Values for the report's other parts: actions with their status history, group gaps, resources,
TEAviisari, the hyte-kerroin, THL's minimum indicators and the data sources."""

from __future__ import annotations

from typing import Any

from hyte_assets.lib.actions import lead_key, parse_due, schedule_state, status_history
from hyte_assets.lib.report.data import ReportData
from hyte_assets.lib.report.texts import Fmt, published_summary, records

# TEAviisari colour bands (municipal minutes; thl-report-tea-ktk.md §2): upper bound → band.
TEA_BANDS = ((25.0, "red"), (75.0, "yellow"), (100.0, "green"))
MINIMUM_TOTAL = 67


def markdown_html(text: str | None) -> str | None:
    """The coordinator's Markdown as HTML with any HTML in it shown as text (markdown-it's `html`
    option off escapes it; its link check drops javascript: URLs)."""
    if text is None:
        return None
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(text)


class Sections:
    def __init__(self, data: ReportData, fmt: Fmt) -> None:
        self.data, self.f = data, fmt
        self.history = status_history(data.status, data.action_keys)

    def actions(self, goal_id: str) -> list[dict[str, Any]]:
        """Per action: lead, milestone, status this year and last, on schedule or late."""
        f, data, year = self.f, self.data, self.data.year
        keys = data.action_keys
        rows = data.actions[data.actions["goal_id"] == goal_id]
        goal_no = data.goals.set_index("goal_id")["goal_no"].to_dict()
        out = []
        for row in records(rows):
            key = keys.get(row["action_id"], row["action_id"])
            now, last = self.history.get((key, year)), self.history.get((key, year - 1))
            due = parse_due(row["action_fi"])
            others = sorted(
                {
                    str(goal_no.get(g, g))
                    for a, g in zip(data.actions["action_id"], data.actions["goal_id"], strict=True)
                    if keys.get(a, a) == key and g != goal_id
                }
            )
            out.append(
                {
                    "focus": row["focus_area_fi"],
                    "action": row["action_fi"],
                    "key": key,
                    "lead": " · ".join(
                        p.strip() for p in str(row.get("responsible") or "").split("|") if p.strip()
                    ),
                    "lead_key": lead_key(row.get("responsible") or ""),
                    "due": due.phrase or "–",
                    "now": self._status(now),
                    "last": self._status(last),
                    "schedule": f.schedule(schedule_state(due, now and now.get("status"), data.as_of)),
                    "shared": f("shared_action", goals=", ".join(others)) if others else "",
                }
            )
        return out

    def _status(self, row: dict[str, Any] | None) -> dict[str, Any]:
        import pandas as pd

        if row is None:
            return {"text": self.f("no_status"), "demo": False, "comment": "", "updated": ""}
        comment = row.get("comment")
        return {
            "text": str(row["status"]),
            "demo": bool(row.get("is_demo")) and pd.notna(row.get("is_demo")),
            "comment": "" if comment is None or pd.isna(comment) else str(comment),
            "updated": self.f.date(row.get("updated_at")),
        }

    def group_gaps(self, theme_id: str) -> list[dict[str, str]]:
        """The municipality's reported gaps (interval excludes zero) of reports.group_gaps for the
        theme's measures, as the table's own sentence; [] when the table is absent."""
        gaps, f = self.data.group_gaps, self.f
        if gaps is None or gaps.empty or "is_reported_gap" not in gaps:
            return []
        ind = self.data.indicators.drop_duplicates("measure_id").set_index("measure_id")
        mine = ind.index[ind["theme_id"] == theme_id]
        shown = gaps[gaps["measure_id"].isin(mine) & gaps["is_reported_gap"].astype(bool)]
        shown = shown[shown["region_level"] == "kunta"].sort_values(["measure_id", "period"])
        out = []
        for r in records(shown):
            out.append(
                {
                    "measure": f.title(ind.loc[r["measure_id"]].to_dict()),
                    "groups": str(r["summary_fi" if f.fi else "summary_en"]),
                    "period": str(r["period"]),
                    "gap": f.number(r["gap"]),
                    "interval": f"{f.number(r['gap_low'])} … {f.number(r['gap_high'])}",
                    "demo": bool(r["is_demo"]),
                }
            )
        return out

    def resources(self) -> dict[str, Any]:
        f, out = self.f, {"hyte": "", "rows": [], "missing": ""}
        kerroin = self.data.hyte.get("reports.hyte_kerroin")
        if kerroin is not None and len(kerroin):
            k = kerroin.iloc[0]
            out["hyte"] = f(
                "resources_hyte",
                year=k["payment_year"],
                eur=f.number(k["eur_per_resident"], 2),
                total=f.number(k["eur_total"], 0),
            )
        frame = self.data.resources
        if frame is None or frame.empty:
            out["missing"] = f("resources_missing", path="data/local/templates/resurssit.csv")
            return out
        frame = frame[frame["year"] == self.data.year]  # raw.resources (the resurssit delivery)
        out["rows"] = [
            [r["service_area"], r["budget_line"], f.number(r["eur"], 0), f.number(r["person_years"], 1)]
            for r in records(frame)
        ]
        return out

    def teaviisari(self) -> dict[str, Any]:
        f, sectors, scores = self.f, self.data.tea_sectors, self.data.teaviisari
        ids = "" if sectors is None else ", ".join(s for s in sectors["sotkanet_id"] if s)
        if scores is None or scores.empty or sectors is None:
            return {"rows": [], "missing": f("teaviisari_missing", ids=ids or "–")}
        rows = []
        for sector in records(sectors):
            mine = scores[scores["sector_id"] == sector["sector_id"]].sort_values("year")
            if mine.empty:
                continue
            latest = mine[mine["year"] == mine["year"].max()].set_index("region_level")["score"]
            cells = [_band(latest.get(level), f) for level in ("kunta", "maakunta", "koko_maa")]
            rows.append(
                {
                    "sector": sector["title_fi" if f.fi else "title_en"],
                    "year": str(int(mine["year"].max())),
                    "cells": cells,
                }
            )
        return {"rows": rows, "missing": "" if rows else f("teaviisari_missing", ids=ids or "–")}

    def hyte(self) -> dict[str, Any] | None:
        import pandas as pd

        f, hyte = self.f, self.data.hyte
        kerroin = hyte.get("reports.hyte_kerroin")
        if kerroin is None or kerroin.empty:
            return None
        k = kerroin.iloc[0]
        out: dict[str, Any] = {
            "demo": bool(k["is_demo"]),
            "summary": published_summary(hyte, f) or "",
            "published": "",
            "demo_inputs": "",
            "what_if": [],
            "sets": [],
        }
        out["text"] = f(
            "hyte_text",
            name=self.data.municipality_name,
            year=k["payment_year"],
            coef=f.number(k["coefficient"], 3),
            eur=f.number(k["eur_per_resident"], 2),
            total=f.number(k["eur_total"], 0),
            rank_mk=k.get("rank_maakunta", "–"),
            rank=k["rank_national"],
            set=f.assumption_set(k["assumption_set"]),
            price=f.number(k["base_price_eur"], 2),
            price_source=f.price_source(k["base_price_source"]),
        )
        published = hyte.get("reports.hyte_published")
        if published is not None and len(published):
            first = published.iloc[0]
            if pd.notna(first["published_eur_per_resident"]):
                out["published"] = f(
                    "hyte_published",
                    eur=f.number(first["published_eur_per_resident"], 2),
                    source=first["published_source"],
                )
            demo_inputs = first.get("demo_inputs")
            if isinstance(demo_inputs, str) and demo_inputs:
                inputs = ", ".join(f(f"input_{key.strip()}") for key in demo_inputs.split(","))
                out["demo_inputs"] = f("hyte_demo_inputs", inputs=inputs)
            out["sets"] = [
                [
                    f.assumption_set(p["assumption_set"], n),
                    f.number(p["coefficient"], 3),
                    f.number(p["eur_per_resident"], 2),
                    f.number(p["delta_vs_published_eur"], 2),
                ]
                for n, p in enumerate(records(published), start=1)
            ]
        what_if = hyte.get("reports.hyte_what_if")
        if what_if is not None:
            out["what_if"] = [
                [
                    str(w["title_fi"] or w["indicator_id"]),
                    f(f"kind_{w['kind']}"),
                    f"{f.number(w['points_before'], 0)} → {f.number(w['points_after'], 0)}",
                    f.number(w["coefficient_after"], 3),
                    f.number(w["gain_eur_per_resident"], 2),
                    f.number(w["gain_eur_total"], 0),
                ]
                for w in records(what_if)
            ]
        return out

    def minimum(self) -> dict[str, Any]:
        """Per listed minimum indicator: shown / not available and why (THL asks omissions to be stated)."""
        import pandas as pd

        f, listing = self.f, self.data.minimum
        rows = []
        ind = self.data.indicators.drop_duplicates("measure_id").set_index("measure_id")
        for item in [] if listing is None else records(listing):
            measure = item.get("measure_id") or ""
            shown = measure in ind.index and pd.notna(ind.loc[measure, "latest_value"])
            if shown:
                why = f("why_shown", title=f.title(ind.loc[measure].to_dict()))
            else:
                why = f("why_no_data") if measure in ind.index else f("why_no_series")
            rows.append(
                {
                    "topic": item["topic_fi" if f.fi else "topic_en"],
                    "status": f.schedule("done")["mark"] + " " + f("minimum_shown")
                    if shown
                    else "○ " + f("minimum_not_available"),
                    "why": why,
                }
            )
        return {"intro": f("minimum_intro", total=MINIMUM_TOTAL, listed=len(rows)), "rows": rows}

    def sources(self) -> list[list[str]]:
        f = self.f
        return [
            [
                f.source(s["source"]),
                str(s["latest_period"]),
                f.date(s["fetched_at"]),
                f.number(s["rows"]),
                f("yes") if bool(s["is_demo"]) else f("no"),
            ]
            for s in records(self.data.sources)
        ]


def _band(score: Any, f: Fmt) -> dict[str, str]:
    import pandas as pd

    if score is None or pd.isna(score):
        return {"score": "–", "band": "", "label": ""}
    value = float(score)
    band = next(name for bound, name in TEA_BANDS if value <= bound)
    return {"score": f.number(value, 0), "band": band, "label": f(f"band_{band}")}
