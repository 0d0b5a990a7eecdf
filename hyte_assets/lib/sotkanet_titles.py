"""Sotkanet indicator titles and metadata warnings: the guard against fetching the wrong measure.

Public code carries wrong Sotkanet ids, and titles drift in wording between years, so the
pipeline compares each id's `title.fi` with the catalog's expected (2015) title after
normalising what carries no meaning, and fails on anything else. Split from `sotkanet.py`
(the HTTP client) so the rules can be read and tested on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from hyte_assets.lib.errors import SourceError

SOURCE = "sotkanet"
# Sotkanet's region level names in `classifications.region.values`, by our region level.
LEVEL_NAMES = {
    "kunta": "Kunta",
    "maakunta": "Maakunta",
    "hyvinvointialue": "Hyvinvointialue",
    "koko_maa": "Maa",
}
GENDERS = ("male", "female", "total")
_TOTAL_WORDS = {"yhteensä", "total", "kaikki", "totalt"}


@dataclass(frozen=True)
class IndicatorMeta:
    """The parts of an indicator document (`/indicators` item or `/indicators/{id}`) we use."""

    id: int
    title_fi: str
    region_levels: tuple[str, ...]
    primary_value_type: str | None = None
    decimals: int | None = None
    range_start: int | None = None
    range_end: int | None = None
    data_updated: str | None = None
    # `classifications.sex.values` (e.g. "Miehet", "Naiset", "Yhteensä"); empty when absent.
    sex_values: tuple[str, ...] = ()

    @property
    def has_municipal_data(self) -> bool:
        """Indicators published only for wellbeing services counties list no "Kunta"."""
        return "Kunta" in self.region_levels

    @property
    def has_gender_classification(self) -> bool:
        """True when the sex classification offers more than a total (every KTK indicator does)."""
        return any(v.strip().casefold() not in _TOTAL_WORDS for v in self.sex_values)

    @property
    def genders(self) -> tuple[str, ...]:
        """The `genders=` values to ask for: male, female and total where the indicator has them."""
        return GENDERS if self.has_gender_classification else ("total",)


class TitleMatch(NamedTuple):
    """Result of matching one catalog title against the `/indicators` listing.

    `candidates`/`candidate_titles` are the exact (normalised) matches; for an unmatched title
    `near` holds up to three close titles as (id, title) hints for a maintainer, never a pin.
    """

    measure_id: str
    status: Literal["matched", "ambiguous", "unmatched"]
    candidates: tuple[int, ...]
    candidate_titles: tuple[str, ...] = ()
    near: tuple[tuple[int, str], ...] = ()


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
# Known compound-word drift between the 2015 and today's titles (same meaning): "vastaavan
# ikäisestä" was written "vastaavanikäisestä", "vastaavan ikäistä" "vastaavanikäistä".
_COMPOUND_DRIFT = ((re.compile(r"\bvastaavan ikäis"), "vastaavanikäis"),)


def normalise_title(title: str) -> str:
    """Comparison key for indicator titles.

    Sotkanet writes "25 - 64-vuotiaat" where the plan writes "25–64-vuotiaat", and some 2015
    titles end in a space; case, spacing, dash style, trailing punctuation and the known
    compound drift carry no meaning, so they are normalised away. Nothing else is: a changed
    age band or denominator is another indicator.
    """
    text = unicodedata.normalize("NFKC", title).translate(_DASHES).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*-\s*", "-", text)
    for pattern, replacement in _COMPOUND_DRIFT:
        text = pattern.sub(replacement, text)
    return text.rstrip(" .,;:")


def titles_agree(expected_title: str, actual_title: str) -> bool:
    return normalise_title(expected_title) == normalise_title(actual_title)


def check_title(indicator_id: int, expected_title: str, metadata: IndicatorMeta) -> None:
    """Fail loudly when an indicator id does not carry the title the catalog expects.

    Public code has mislabelled ids (e.g. 5527), so the title is the guard against fetching
    the wrong measure. The error's problem starts with "title mismatch" so callers can tell
    it from a fetch error.
    """
    if metadata.id != indicator_id or not titles_agree(expected_title, metadata.title_fi):
        raise SourceError(
            SOURCE,
            f"title mismatch for indicator {indicator_id}: expected {expected_title!r}, "
            f"Sotkanet has {metadata.title_fi!r} (metadata id {metadata.id})",
            item=f"indicator {indicator_id}",
        )


def indicator_warnings(meta: IndicatorMeta, *, current_year: int, max_lag_years: int = 4) -> list[str]:
    """Visible warnings from an indicator's metadata instead of silently missing data.

    * no "Kunta" in `classifications.region.values`: say so (and which levels there are);
    * `range.end` more than `max_lag_years` before `current_year`: the series has ended
      (school-survey and adult-survey series run every 2–3 years, hence the default of 4).
    """
    warnings = []
    if not meta.has_municipal_data:
        levels = ", ".join(meta.region_levels) or "none listed"
        warnings.append(f"indicator {meta.id}: no municipality level (region levels: {levels})")
    if meta.range_end is None:
        warnings.append(f"indicator {meta.id}: metadata gives no range.end")
    elif meta.range_end < current_year - max_lag_years:
        warnings.append(f"indicator {meta.id}: data ended in {meta.range_end} (range.end)")
    return warnings


def available_level(meta: IndicatorMeta, wanted: str, fallbacks: Sequence[str] = ()) -> str | None:
    """The first of `wanted` and its `fallbacks` (our level names, e.g. "kunta", "maakunta") that
    the indicator publishes, or None; lets a catalog fall back to the maakunta explicitly."""
    for level in (wanted, *fallbacks):
        if LEVEL_NAMES.get(level, level) in meta.region_levels:
            return level
    return None


def match_titles(
    catalog_titles: Mapping[str, str], listing: Iterable[IndicatorMeta], *, near: int = 3
) -> list[TitleMatch]:
    """Propose indicator ids for catalog measures by exact normalised Finnish title (for review).

    matched = one indicator, ambiguous = several (with their titles), unmatched = none, with up
    to `near` close titles as hints. A match is a candidate for a maintainer to pin with
    evidence, never a pin by itself.
    """
    import difflib

    by_title: dict[str, list[IndicatorMeta]] = {}
    for meta in listing:
        by_title.setdefault(normalise_title(meta.title_fi), []).append(meta)
    keys = list(by_title)
    matches = []
    for measure_id, title in catalog_titles.items():
        found = sorted(by_title.get(normalise_title(title), []), key=lambda m: m.id)
        status: Literal["matched", "ambiguous", "unmatched"] = (
            "unmatched" if not found else "matched" if len(found) == 1 else "ambiguous"
        )
        hints: tuple[tuple[int, str], ...] = ()
        if not found and near:
            close = difflib.get_close_matches(normalise_title(title), keys, n=near, cutoff=0.6)
            hints = tuple((m.id, m.title_fi) for key in close for m in by_title[key])[:near]
        matches.append(
            TitleMatch(
                measure_id,
                status,
                tuple(m.id for m in found),
                tuple(m.title_fi for m in found),
                hints,
            )
        )
    return matches
