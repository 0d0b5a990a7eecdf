"""Parse the cells of a delivery: Finnish numbers, periods, dates, area codes, statuses and flags.

Each parser takes a raw cell (text from CSV, or a typed openpyxl value) and returns a tuple that fills
the template column's `outputs`, or raises ValueError whose text is shown to the person who made the file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from hyte_assets.lib.local_files.templates import ACTION_STATUSES, TOTAL_GROUP

# Written by staff for "all groups"; normalised to TOTAL_GROUP like an empty cell.
_TOTAL_WORDS = {"", "yhteensa", "kaikki", "total"}
MONTH_NAMES = (
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
)
# "joulu", "joulukuu", "joulukuuta" (partitive), "joulukuun" (genitive) → 12; matched after fold().
_MONTH_WORDS = {
    name.removesuffix("kuu").replace("ä", "a") + suffix: month
    for month, name in enumerate(MONTH_NAMES, start=1)
    for suffix in ("", "kuu", "kuuta", "kuun")
}
_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212])?\s*"
    r"(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)"
    r"(?:[.,](?P<frac>\d+))?"
    r"\s*%?"
)
_FI_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH_NAME = re.compile(r"([^\W\d_]+)\.?\s*[/-]?\s*(\d{4})")
_REGION_PREFIXED = re.compile(r"(KU|MK|HVA)(\d+)")
_BARE_REGIONS = {"07": ("07", "maakunta"), "09": ("09", "hyvinvointialue")}
_PREFIX_LEVELS = {"KU": ("kunta", 3), "MK": ("maakunta", 2), "HVA": ("hyvinvointialue", 2)}


def parse_number(raw: Any) -> float | None:
    """Parse a Finnish-format number ("12,5", "1 234,5", "-3", "12,5 %") or an Excel number.

    A trailing % is dropped without scaling, so "12,5 %" is 12.5 (percent units). Empty → None.
    Raises ValueError with the offending text.
    """
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a number")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"'{raw}' is not a finite number")
        return float(raw)
    if isinstance(raw, dt.date):
        raise ValueError(f"'{raw}' is a date, not a number (Excel may have turned the number into a date)")
    text = str(raw).strip()
    match = _NUMBER.fullmatch(text)
    if not match:
        raise ValueError(f"'{text}' is not a number")
    digits = re.sub(r"\D", "", match["int"]) + ("." + match["frac"] if match["frac"] else "")
    value = float(digits)
    if not math.isfinite(value):  # 400 digits parse as inf, which every comparison would then "win"
        raise ValueError(f"'{text[:40]}…' ({len(digits)} digits) is too large to be a number")
    return -value if match["sign"] in ("-", "\u2212") else value


def parse_period(raw: Any) -> tuple[str, int]:
    """Normalise a period to (`YYYY` or `YYYY-MM`, year).

    Accepts 2025, 12/2025, 12.2025, 2025-12, "joulukuu 2025" / "joulu 2025" / "joulukuuta 2025",
    and dates (31.12.2025, 2025-12-31, Excel dates), which stand for their month.
    """
    if isinstance(raw, dt.date):
        return _month(raw.year, raw.month, str(raw))
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        raw = int(raw)  # an Excel number cell such as 2025.0
    text = "" if raw is None else str(raw).strip()
    if re.fullmatch(r"\d{4}", text):
        return _year_period(parse_year(text))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return _month(int(m[1]), int(m[2]), text)
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{4})", text):
        return _month(int(m[2]), int(m[1]), text)
    if _FI_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
        date = parse_date(text)
        return _month(date.year, date.month, text)
    if (m := _MONTH_NAME.fullmatch(text)) and fold(m[1]) in _MONTH_WORDS:
        return _month(int(m[2]), _MONTH_WORDS[fold(m[1])], text)
    raise ValueError(
        f"'{text}' is not a period: use a year (2025), a month (12/2025, 2025-12, joulukuu 2025) "
        "or a date (31.12.2025)"
    )


def parse_year(raw: Any) -> int:
    """A four-digit statistics year (1900–2100) from text or an Excel number."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if isinstance(raw, bool) or not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise ValueError(f"'{text}' is not a year (expected four digits, e.g. 2025)")
    return int(text)


def parse_date(raw: Any) -> dt.date:
    """A calendar date from 31.12.2025, 2025-12-31 (time part ignored) or an Excel date cell."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if m := _FI_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO_DATE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(f"'{text}' is not a date: write it as 31.12.2025 or 2025-12-31")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a valid calendar date") from None


def parse_region(raw: Any) -> tuple[str, str]:
    """(region_code, region_level) from a delivered area code.

    `111`/`KU111` → kunta, `SSS` → koko_maa, `07`/`MK07` → maakunta (Päijät-Häme),
    `09`/`HVA09` → hyvinvointialue (Päijät-Häme). Other bare one- or two-digit codes are refused:
    maakunta, wellbeing-county and zero-stripped municipality codes would be indistinguishable.
    """
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().upper()
    if text == "SSS":
        return "SSS", "koko_maa"
    if re.fullmatch(r"\d{3}", text):
        return text, "kunta"
    if text in _BARE_REGIONS:
        return _BARE_REGIONS[text]
    if (m := _REGION_PREFIXED.fullmatch(text)) and len(m[2]) == _PREFIX_LEVELS[m[1]][1]:
        return m[2], _PREFIX_LEVELS[m[1]][0]
    raise ValueError(
        f"'{raw}' is not an area code: use a 3-digit municipality code (111), 07 or MKnn (maakunta), "
        "09 or HVAnn (hyvinvointialue) or SSS (whole country); store codes as text so Excel keeps the zeros"
    )


def _parse_status(raw: Any) -> tuple[str]:
    folded = fold(str(raw))
    for status in ACTION_STATUSES:
        if fold(status) == folded:
            return (status,)
    raise ValueError(f"'{str(raw).strip()}' is not a status: use one of {', '.join(ACTION_STATUSES)}")


def _parse_group(raw: Any) -> tuple[str]:
    text = cell_text(raw)
    return (TOTAL_GROUP if text is None or fold(text) in _TOTAL_WORDS else text,)


def _parse_count(raw: Any) -> tuple[float | None]:
    value = parse_number(raw)
    if value is not None and value < 0:
        raise ValueError(f"negative count {raw!r}: counts cannot be negative")
    return (value,)


def _parse_year_column(raw: Any) -> tuple[int, str]:
    year = parse_year(raw)
    return year, f"{year:04d}"


def _parse_date_or_none(raw: Any) -> tuple[dt.date | None]:
    return (None if is_blank(raw) else parse_date(raw),)


_YES = {"1", "kylla", "k", "true", "tosi", "yes", "x"}
_NO = {"", "0", "ei", "e", "false", "epatosi", "no"}


def parse_flag(raw: Any) -> tuple[bool]:
    """A yes/no cell (the `is_demo` column): kyllä/ei, true/false, 1/0, x; empty is no."""
    if isinstance(raw, bool):
        return (raw,)
    folded = fold(cell_text(raw) or "")
    if folded in _YES or folded in _NO:
        return (folded in _YES,)
    raise ValueError(f"'{raw}' is not yes or no: write kyllä or ei (or 1/0, true/false)")


PARSERS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "measure_id": lambda raw: (cell_text(raw),),
    "text": lambda raw: (cell_text(raw),),
    "group": _parse_group,
    "period": parse_period,
    "year": _parse_year_column,
    "year_or_none": lambda raw: (None if is_blank(raw) else parse_year(raw),),
    "region": parse_region,
    "number": lambda raw: (parse_number(raw),),
    "count": _parse_count,
    "date": _parse_date_or_none,
    "status": _parse_status,
    "flag": parse_flag,
}


def _month(year: int, month: int, text: str) -> tuple[str, int]:
    """A validated `YYYY-MM` period and its year; `text` is what the file said, for the error."""
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise ValueError(f"'{text}' is not a valid month: the month must be 1-12 and the year 1900-2100")
    return f"{year:04d}-{month:02d}", year


def _year_period(year: int) -> tuple[str, int]:
    """An annual `YYYY` period and its year."""
    return f"{year:04d}", year


def fold(text: str) -> str:
    """Compare headers and words the way staff type them: any case, with or without ä/ö, _ or space."""
    folded = text.strip().casefold().translate(str.maketrans({"ä": "a", "å": "a", "ö": "o"}))
    return re.sub(r"[\s_\-]+", "_", folded)


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(raw: Any) -> str | None:
    """Cell as stripped text; Excel numbers such as 12.0 come back as "12"."""
    if is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return str(raw).strip()
