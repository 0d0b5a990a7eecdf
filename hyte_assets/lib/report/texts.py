"""The report's texts (texts.toml) and the formatting of numbers, dates and statuses per language.

Everything returned here is plain text: the Jinja2 templates escape it. Only the coordinator's
Markdown and the inline SVG charts are passed on as markup, both built from escaped text.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("fi", "en")
TEXTS_FILE = Path(__file__).with_name("texts.toml")

# Label tables, code -> (Finnish, English): alike in shape because they are data, not logic.
SOURCES: dict[str, tuple[str, str]] = {
    "sotkanet": ("THL Sotkanet", "THL Sotkanet"),
    "kouluterveyskysely": ("Kouluterveyskysely (THL)", "School health survey (THL)"),
    "statfin": ("Tilastokeskus", "Statistics Finland"),
    "employment": ("Työllisyyskatsaus", "Employment review"),
    "teaviisari": ("TEAviisari (THL)", "TEAviisari (THL)"),
    "hyte": ("Hyte-kerroin", "Hyte coefficient"),
    "regional_survey": ("Alueellinen hyvinvointikysely", "Regional welfare survey"),
    "older_people_survey": ("Ikäihmisten hyvinvointikysely", "Older people's welfare survey"),
    "resident_survey": ("Kaupungin kyselyt", "City surveys"),
    "local": ("Kaupungin omat tilastot", "City's own counts"),
    "plan": ("Hyvinvointisuunnitelma", "Welfare plan"),
}
UNITS: dict[str, tuple[str, str]] = {
    "percent": ("%", "%"),
    "per_10000": ("/ 10\u00a0000", "/ 10,000"),
    "per_100000": ("/ 100\u00a0000", "/ 100,000"),
    "eur_per_m2": ("€/m²", "€/m²"),
    "eur_per_resident": ("€/as.", "€/res."),
    "score_0_100": ("pistettä / 100", "points / 100"),
}
# The hyte-kerroin's named readings of the law (data/hyte/assumptions.toml) in the report's words.
ASSUMPTION_SETS: dict[str, tuple[str, str]] = {
    "default": ("perusoletus", "baseline reading"),
    "relative_change": ("suhteellinen muutos", "relative change"),
    "clipped_abs": ("ääriarvot rajattu (5.–95. persentiili)", "outliers clipped (5th–95th percentile)"),
    "target_best_decile": ("tavoitetaso: paras kymmenys", "target level: best decile"),
    "exact_weights": ("tarkat painot", "exact weights"),
    "process_lag2": ("prosessitiedot kaksi vuotta vanhoja", "process data two years old"),
    "outcome_lag3": ("tulostiedot kolme vuotta vanhoja", "outcome data three years old"),
}
STATUS_MARKS = {
    "improving": "▲",
    "worsening": "▼",
    "stable": "●",
    "target_met": "★",
    "no_data": "○",
    "not_judged": "◌",
    "on_schedule": "✓",
    "late": "!",
    "done": "★",
    "not_due": "–",
    "unknown": "?",
}


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts: DataFrame.to_dict("records") goes through itertuples and is slow."""
    columns = list(frame.columns)
    rows = zip(*(frame[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, values, strict=True)) for values in rows]


@cache
def texts() -> dict[str, dict[str, str]]:
    with TEXTS_FILE.open("rb") as handle:
        return tomllib.load(handle)


class Fmt:
    """Texts and number formats of one language: 1\u00a0234,5 in Finnish, 1,234.5 in English."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: use one of {LANGUAGES}")
        self.lang = lang
        self.fi = lang == "fi"
        self.text = texts()[lang]

    def __call__(self, key: str, **values: object) -> str:
        return self.text[key].format(**values) if values else self.text[key]

    def number(self, value: Any, decimals: int | None = None) -> str:
        if value is None or value != value:  # NULL or NaN
            return "–"
        number = float(value)
        if decimals is None:
            decimals = 0 if abs(number) >= 100 or number.is_integer() else 1 if abs(number) >= 1 else 2
        text = f"{number:,.{decimals}f}"
        if self.fi:
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text.replace("-", "−")

    def axis_number(self, value: float) -> str:
        text = f"{value:.4g}"
        return text.replace(".", ",") if self.fi else text

    def unit(self, unit: str) -> str:
        return UNITS.get(str(unit), ("", ""))[0 if self.fi else 1]

    def value(self, value: Any, unit: str) -> str:
        if value is None or value != value:
            return "–"
        if unit == "yes_no":
            return self("yes") if float(value) >= 0.5 else self("no")
        suffix = self.unit(unit)
        return self.number(value) + (f"\u00a0{suffix}" if suffix else "")

    def date(self, value: Any) -> str:
        import pandas as pd

        if value is None or pd.isna(value):
            return "–"
        stamp = pd.Timestamp(value)
        return stamp.strftime("%-d.%-m.%Y" if self.fi else "%Y-%m-%d")

    def datetime(self, value: dt.datetime) -> str:
        return value.strftime("%-d.%-m.%Y %H:%M" if self.fi else "%Y-%m-%d %H:%M")

    def source(self, key: object) -> str:
        names = SOURCES.get(str(key))
        return names[0 if self.fi else 1] if names else str(key)

    def title(self, row: Any) -> str:
        """A catalog row's title in the report language (the Finnish one where no translation exists)."""
        get = row.get if isinstance(row, dict) else lambda k: getattr(row, k, None)
        return str((None if self.fi else get("title_en")) or get("title_fi") or "")

    def assumption_set(self, name: object, n: int = 1) -> str:
        labels = ASSUMPTION_SETS.get(str(name))
        return labels[0 if self.fi else 1] if labels else self("assumption_set_unnamed", n=n)

    def price_source(self, text: object) -> str:
        """The base price's citation without the loader's English notes in the Finnish report."""
        raw = str(text or "")
        if m := re.search(r"assumed = (\d{4}) price", raw):
            return f"oletus: vuoden {m.group(1)} perushinta, vahvistamaton" if self.fi else raw
        if self.fi:
            statute = re.match(r"(VNA \d+/\d{4}(?: § \d+)?)", raw)
            return statute.group(1) if statute else "lähde ei tiedossa"
        return raw

    def status(self, status: str, judged: bool = True, rule: object = None) -> dict[str, str]:
        key = status if judged or status in ("no_data", "target_met") else "not_judged"
        label = self(key)
        if key == "not_judged" and f"rule_{rule}" in self.text:
            label += f" ({self(f'rule_{rule}')})"
        return {"key": key, "mark": STATUS_MARKS[key], "label": label}

    def schedule(self, state: str) -> dict[str, str]:
        return {"key": state, "mark": STATUS_MARKS[state], "label": self(state)}


def published_summary(hyte: dict[str, Any], f: Fmt) -> str | None:
    """The hyte-kerroin sentence of `reports.hyte_published` (summary_fi / summary_en, written by the
    hyte model: the coefficient first, euros second) for the assumption set the kerroin used; None
    when the table or the column is absent. Internal names in it (the assumption set, demo input
    keys) are replaced by the report's labels, so no identifier reaches the Finnish text."""
    published, kerroin = hyte.get("reports.hyte_published"), hyte.get("reports.hyte_kerroin")
    column = "summary_fi" if f.fi else "summary_en"
    if published is None or published.empty or column not in published:
        return None
    rows = published[published[column].notna() & (published[column].astype(str).str.strip() != "")]
    if kerroin is not None and len(kerroin) and "assumption_set" in rows:
        used = rows["assumption_set"] == kerroin.iloc[0]["assumption_set"]
        rows = rows[used] if used.any() else rows
    if rows.empty:
        return None
    row = rows.iloc[0]
    text = str(row[column])
    if row.get("assumption_set"):
        text = text.replace(f": {row['assumption_set']})", f": {f.assumption_set(row['assumption_set'])})")
    for key in str(row.get("demo_inputs") or "").split(","):
        if key.strip():
            text = text.replace(key.strip(), f(f"input_{key.strip()}"))
    return text
