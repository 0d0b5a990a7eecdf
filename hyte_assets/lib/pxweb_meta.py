"""Reading PxWeb v1 table metadata: which variable is which, and what a table publishes.

Why: Statistics Finland renamed variable codes on 8 June 2026 and will again, and a query that
names one value the table does not list is answered with HTTP 400 for the whole request. So
variables are found by role (time flag, `Alue` code/text, `KU`/`MK` area values), and every
query is planned as the intersection of what the caller wants and what the metadata lists;
what is left out comes back as notes ("not yet published", "not in this table") instead of
failing the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hyte_assets.lib.errors import SourceError

SOURCE = "statfin"
_AREA_VALUE = re.compile(r"^(KU|MK|HVA|SK)\d")


def find_variable(
    metadata: Mapping[str, Any],
    *,
    time: bool = False,
    contains_value: str | None = None,
    code: str | None = None,
    table: str | None = None,
) -> dict[str, Any]:
    """The one variable that matches every given criterion.

    Resolve by role (`time=True`) or by a marker value (`contains_value="KU111"` finds the
    area variable whatever it is called this year); `code` is for codes known to be stable.
    """
    if not (time or contains_value is not None or code is not None):
        raise ValueError("give at least one of time, contains_value, code")
    variables = list(metadata.get("variables", []))
    found = [
        v
        for v in variables
        if (not time or v.get("time") is True)
        and (contains_value is None or contains_value in v.get("values", []))
        and (code is None or v.get("code") == code)
    ]
    if len(found) != 1:
        wanted = ", ".join(
            part
            for part in (
                "time=True" if time else "",
                f"contains_value={contains_value!r}" if contains_value is not None else "",
                f"code={code!r}" if code is not None else "",
            )
            if part
        )
        available = [v.get("code") for v in variables]
        raise SourceError(
            SOURCE,
            f"expected exactly one variable with {wanted}, found {len(found)}; variables: {available}",
            item=f"table {table}" if table else metadata.get("title"),
        )
    return found[0]


def check_content_codes(metadata: Mapping[str, Any], table: str, codes: Iterable[str]) -> str:
    """Check every content code exists in the table; return the code of the variable holding them.

    The measure variable is the one offering most of the requested codes, so its own code
    (`contentscode` today, `Tiedot` before June 2026) need not be known in advance.
    """
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise ValueError("no content codes given")
    variables = list(metadata.get("variables", []))

    def hits(variable: Mapping[str, Any]) -> int:
        return len(set(wanted) & set(variable.get("values", [])))

    best = max(variables, key=hits, default=None)
    if best is None or hits(best) == 0:
        raise SourceError(
            SOURCE, f"content code(s) {wanted} not in any variable of table {table}", item=f"table {table}"
        )
    missing = [c for c in wanted if c not in best["values"]]
    if missing:
        raise SourceError(
            SOURCE,
            f"content code(s) {missing} not in variable {best['code']!r} of table {table}",
            item=f"table {table}",
        )
    return str(best["code"])


def _is_area_name(text: Any) -> bool:
    return isinstance(text, str) and text.strip().casefold().startswith("alue")


def find_area_variable(metadata: Mapping[str, Any], table: str | None = None) -> dict[str, Any]:
    """The area variable, by role: code or text `Alue…` (`Alue`, `alue_23_20260101`), else the one
    variable whose values carry `KU`/`MK` prefixes.

    Not "the variable containing `SSS`": in vaerak/11re the age and sex variables offer `SSS`
    (total) too.
    """
    variables = [v for v in metadata.get("variables", []) if v.get("time") is not True]
    by_name = [v for v in variables if _is_area_name(v.get("code")) or _is_area_name(v.get("text"))]
    if len(by_name) == 1:
        return by_name[0]
    by_values = [v for v in variables if any(_AREA_VALUE.match(str(x)) for x in v.get("values", []))]
    if len(by_values) == 1:
        return by_values[0]
    raise SourceError(
        SOURCE,
        "cannot tell the area variable: expected one variable named 'Alue…' or with KU/MK values, "
        f"found {[v.get('code') for v in by_name or by_values]} among {[v.get('code') for v in variables]}",
        item=f"table {table}" if table else metadata.get("title"),
    )


@dataclass(frozen=True)
class QueryPlan:
    """What to ask a table for, and what was left out and why.

    `selections` is ready for `PxWebClient.query`; it is None when nothing asked for is
    published (e.g. every month is newer than the table), so the caller skips the call.
    `not_published` are periods after the table's last one, `not_in_table` periods before its
    first or in a gap; `missing_areas` / `missing_codes` are areas and content codes the table
    does not list (coverage notes, not failures).
    """

    table: str
    area_var: str
    time_var: str
    content_var: str | None
    areas: tuple[str, ...]
    periods: tuple[str, ...]
    codes: tuple[str, ...]
    selections: dict[str, tuple[str, list[str]]] | None
    not_published: tuple[str, ...] = ()
    not_in_table: tuple[str, ...] = ()
    missing_areas: tuple[str, ...] = ()
    missing_codes: tuple[str, ...] = ()
    first_period: str | None = None
    last_period: str | None = None
    extra: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """Human-readable coverage notes for asset metadata and the run summary."""
        out = []
        if self.not_published:
            out.append(
                f"{self.table}: not yet published {_span(self.not_published)} (table ends {self.last_period})"
            )
        if self.not_in_table:
            out.append(
                f"{self.table}: not in the table {_span(self.not_in_table)} "
                f"(table starts {self.first_period})"
            )
        if self.missing_areas:
            out.append(f"{self.table}: areas not published in this table: {', '.join(self.missing_areas)}")
        if self.missing_codes:
            out.append(f"{self.table}: content codes not in this table: {', '.join(self.missing_codes)}")
        return out


def _span(periods: Sequence[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]} ({len(periods)} periods)"


def _listed(variable: Mapping[str, Any], wanted: Iterable[str]) -> tuple[list[str], list[str]]:
    values = set(variable.get("values", []))
    wanted_ = list(dict.fromkeys(str(w) for w in wanted))
    return [w for w in wanted_ if w in values], [w for w in wanted_ if w not in values]


def plan_query(
    metadata: Mapping[str, Any],
    table: str,
    *,
    areas: Iterable[str],
    periods: Iterable[str],
    codes: Iterable[str] = (),
    extra: Mapping[str, tuple[str, Sequence[str]]] | None = None,
) -> QueryPlan:
    """Intersect the wanted areas, periods and content codes with the table's metadata.

    Periods are compared as strings (`2026M06`, `2025`), which sorts correctly within one
    table. `extra` adds fixed selections for other variables (e.g. sex `SSS` in 11re) and is
    checked the same way: an unknown value there is an error, because it is the caller's
    mistake, not a publication gap.
    """
    area = find_area_variable(metadata, table)
    time = find_variable(metadata, time=True, table=table)
    times = [str(v) for v in time.get("values", [])]
    area_ok, area_missing = _listed(area, areas)
    period_ok, period_missing = _listed(time, periods)
    last, first = (max(times), min(times)) if times else (None, None)
    not_published = tuple(p for p in period_missing if last is None or p > last)
    not_in_table = tuple(p for p in period_missing if p not in not_published)
    content_var, code_ok, code_missing = None, [], []
    wanted_codes = list(dict.fromkeys(codes))
    if wanted_codes:
        variables = list(metadata.get("variables", []))
        best = max(variables, key=lambda v: len(set(wanted_codes) & set(v.get("values", []))))
        if set(wanted_codes) & set(best.get("values", [])):
            content_var = str(best["code"])
            code_ok, code_missing = _listed(best, wanted_codes)
        else:
            code_missing = wanted_codes
    fixed: dict[str, tuple[str, list[str]]] = {}
    for code, (filter_, values) in (extra or {}).items():
        variable = find_variable(metadata, code=code, table=table)
        if filter_ == "item":
            _, unknown = _listed(variable, values)
            if unknown:
                raise SourceError(
                    SOURCE, f"variable {code!r} of {table} does not list {unknown}", item=f"table {table}"
                )
        fixed[code] = (filter_, list(values))
    usable = area_ok and period_ok and (code_ok or not wanted_codes)
    selections: dict[str, tuple[str, list[str]]] | None = None
    if usable:
        selections = {str(area["code"]): ("item", area_ok), str(time["code"]): ("item", period_ok)}
        if content_var:
            selections[content_var] = ("item", code_ok)
        selections.update(fixed)
    return QueryPlan(
        table=table,
        area_var=str(area["code"]),
        time_var=str(time["code"]),
        content_var=content_var,
        areas=tuple(area_ok),
        periods=tuple(period_ok),
        codes=tuple(code_ok),
        selections=selections,
        not_published=not_published,
        not_in_table=not_in_table,
        missing_areas=tuple(area_missing),
        missing_codes=tuple(code_missing),
        first_period=first,
        last_period=last,
        extra=fixed,
    )


def sex_content_codes(metadata: Mapping[str, Any], wanted: Mapping[str, str]) -> dict[str, str]:
    """The {gender: content code} pairs of `wanted` that the table lists (12r5 has
    `TYOTTOMATMIEHET` / `TYOTTOMATNAISET`); an empty dict means the table has no split by sex."""
    listed = {str(v) for variable in metadata.get("variables", []) for v in variable.get("values", [])}
    return {gender: code for gender, code in wanted.items() if code in listed}
