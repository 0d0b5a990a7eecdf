"""Errors that name the source, the item and the problem, so a failed run explains itself."""

from __future__ import annotations


class SourceError(Exception):
    """A source delivered something we cannot use.

    The message always names the source and, where known, the URL or file, the item
    (indicator, table, measure) and the row/column, so the data engineer can act on it
    from the Dagster UI without reading a stack trace.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        url: str | None = None,
        item: str | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.url = url
        self.item = item
        self.file = file
        self.row = row
        self.column = column
        where = [f"source={source}"]
        for label, value in (("item", item), ("url", url), ("file", file), ("row", row), ("column", column)):
            if value is not None:
                where.append(f"{label}={value}")
        super().__init__(f"[{', '.join(where)}] {problem}")
