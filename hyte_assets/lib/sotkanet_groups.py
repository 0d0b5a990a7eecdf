"""THL's minimum indicators for a welfare report from Sotkanet's group tree (`GET /rest/1.1/groups`).

THL's list (vähimmäistietosisältö, 67 municipal indicators) was not found offline
(../shared/reference/thl-report-tea-ktk.md §1); Sotkanet organises indicators in groups, so a live run
finds the group whose title names the welfare report or the minimum content and resolves it to its
indicators. The result is a *candidate* file for review (`thl_minimum_indicators.sotkanet.csv`
beside the reviewed `data/catalog/thl_minimum_indicators.csv`): nothing becomes part of the catalog
before a person has read it.

The /groups wire format is **unverified** (sotkanet-api.md: "one public R script; shape unverified";
thl-report-tea-ktk.md: a tree of `id`, `title{fi,…}`, `children[]`, `indicators[]`). So the keys and
the title pattern are parameters (`GroupFormat`, `HYTE_MINIMUM_GROUP_PATTERN`), an indicator may be
an id or an object with `id`, and any other shape is rejected with the node's path named.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError

if TYPE_CHECKING:
    from hyte_assets.lib.sotkanet import SotkanetClient

# Finnish titles that name the welfare report or its minimum content (case-insensitive).
DEFAULT_GROUP_PATTERN = r"hyvinvointikertomu|vähimmäistieto|minimitieto"
CANDIDATE_FILE = "thl_minimum_indicators.sotkanet.csv"
COLUMNS = ("item_id", "topic_fi", "topic_en", "listing", "measure_id", "sotkanet_id", "source_url", "note")


# Configurable key names are declared like the delivery templates' columns: alike in shape only.


@dataclass(frozen=True)
class GroupFormat:
    """The keys of a /groups node (configurable while the format is unverified)."""

    id: str = "id"
    title: str = "title"
    children: str = "children"
    indicators: str = "indicators"


@dataclass(frozen=True)
class GroupMatch:
    """A group whose Finnish title matched: its path in the tree and the indicators under it."""

    id: int
    title_fi: str
    path: tuple[str, ...]
    indicator_ids: tuple[int, ...]


def group_pattern() -> str:
    return os.environ.get("HYTE_MINIMUM_GROUP_PATTERN") or DEFAULT_GROUP_PATTERN


def find_groups(
    tree: Any, pattern: str = DEFAULT_GROUP_PATTERN, *, url: str = "", fmt: GroupFormat = GroupFormat()
) -> list[GroupMatch]:
    """Groups whose Finnish title matches `pattern`, with every indicator in them or their subgroups.

    A matched group inside a matched group is not listed again. Raises SourceError naming the node
    when the tree is not a list of objects with an int id, a title and list-valued children/indicators,
    and when no group matches (with the top-level titles, so the pattern can be corrected).
    """
    if not isinstance(tree, list) or not tree:
        raise SourceError("sotkanet", "expected a non-empty list of groups", url=url, item="groups")
    regex = re.compile(pattern, re.IGNORECASE)
    matches = []
    for node, path in _walk(tree, (), url, fmt):
        title = _title_fi(node[fmt.title])
        if regex.search(title) and not any(m.path == path[: len(m.path)] for m in matches):
            ids = tuple(
                dict.fromkeys(i for sub, _ in _walk([node], path[:-1], url, fmt) for i in _ids(sub, fmt))
            )
            matches.append(GroupMatch(int(node[fmt.id]), title, path, ids))
    if not matches:
        top = [_title_fi(n[fmt.title]) for n in tree]
        raise SourceError(
            "sotkanet",
            f"no group title matches {pattern!r} (HYTE_MINIMUM_GROUP_PATTERN); top-level groups: {top[:20]}",
            url=url,
            item="groups",
        )
    return matches


def _walk(
    nodes: Sequence[Any], path: tuple[str, ...], url: str, fmt: GroupFormat
) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...]]]:
    for index, node in enumerate(nodes):
        where = "/".join((*path, str(index)))
        if not isinstance(node, Mapping) or not isinstance(node.get(fmt.id), int) or fmt.title not in node:
            raise SourceError(
                "sotkanet",
                f"group {where} needs an int {fmt.id!r} and a {fmt.title!r}",
                url=url,
                item="groups",
            )
        for key in (fmt.children, fmt.indicators):
            if not isinstance(node.get(key, []), list):
                raise SourceError("sotkanet", f"group {where}: {key!r} is not a list", url=url, item="groups")
        here = (*path, _title_fi(node[fmt.title]))
        yield node, here
        yield from _walk(node.get(fmt.children, []), here, url, fmt)


def _ids(node: Mapping[str, Any], fmt: GroupFormat) -> list[int]:
    out = []
    for item in node.get(fmt.indicators, []):
        value = item.get("id") if isinstance(item, Mapping) else item
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
    return out


def _title_fi(title: Any) -> str:
    if isinstance(title, Mapping):
        return str(title.get("fi") or title.get("en") or "")
    return str(title or "")


def fetch_minimum_groups(client: SotkanetClient, pattern: str | None = None) -> tuple[list[GroupMatch], str]:
    """GET /groups through the Sotkanet client (its retries, User-Agent and HTML-with-200 checks)."""
    data, url = client._get("groups", item="groups", snapshot_path="groups.json")  # noqa: SLF001
    return find_groups(data, pattern or group_pattern(), url=url), url


def candidate_rows(
    matches: Sequence[GroupMatch], titles: Mapping[int, str], measures_by_id: Mapping[str, str], url: str
) -> list[dict[str, str]]:
    """Rows in the columns of thl_minimum_indicators.csv (`listing = sotkanet_group`); a plan measure
    is linked only when the catalog pins that very Sotkanet id (`source_ref`), never by guess."""
    rows = []
    for match in matches:
        for indicator in match.indicator_ids:
            rows.append(
                {
                    "item_id": f"sotkanet_{indicator}",
                    "topic_fi": titles.get(indicator, ""),
                    "topic_en": "",
                    "listing": "sotkanet_group",
                    "measure_id": measures_by_id.get(str(indicator), ""),
                    "sotkanet_id": str(indicator),
                    "source_url": url,
                    "note": f"Sotkanet group {match.id} '{match.title_fi}'; to be reviewed before use",
                }
            )
    return list({r["item_id"]: r for r in rows}.values())


def write_candidates(rows: Sequence[Mapping[str, str]], path: Path) -> Path:
    """The candidate file for review (UTF-8, comma-separated like the other catalog files)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)
    return path
