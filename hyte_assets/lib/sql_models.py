"""Loader for `dbt_like_sql/`: plain DuckDB SELECT files that become tables, plus SQL tests.

Each model file is one SELECT, runnable as it is in the DuckDB CLI; `<schema>/<name>.sql` becomes
table `<schema>.<name>` (deeper subfolders only organise files; names stay unique). Dependencies and
column lineage come from parsing the SQL with sqlglot, so nobody keeps a dependency list in step
with the query: a `-- depends_on:` header line is accepted but ignored.

The leading comment (`--` lines or a `/* */` block) is the description. Header lines
`-- grain: a, b` and `-- tags: x, y` become metadata; a test file names its model with
`-- tests: <schema>.<model>`. A model's `-- unique:`, `-- not_null:` and `-- accepted_values:`
lines become generic tests (`sql_generic_tests`), returned with the files in `tests/`; `macros/`
holds shared DuckDB macros (`sql_macros`). sqlglot is imported inside the parsing functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.sql_generic_tests import KINDS, DirectiveError, compile_directive
from hyte_assets.lib.sql_lineage import with_columns
from hyte_assets.lib.sql_macros import MACROS_FOLDER, with_macros

if TYPE_CHECKING:
    from sqlglot import exp

SOURCE = "dbt_like_sql"
TESTS_FOLDER = "tests"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_DIRECTIVE = re.compile(rf"(grain|tags|tests|depends_on|{'|'.join(KINDS)})\s*:\s*(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class SqlModel:
    """One model file; `table` is what other models reference."""

    name: str
    schema: str
    path: Path
    sql: str
    description: str
    reads: tuple[str, ...]
    columns: tuple[str, ...] = ()
    # Not hashed, so models stay usable as dict keys and set members.
    column_lineage: dict[str, list[str]] = field(default_factory=dict, hash=False)
    grain: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # File line where `sql` starts, so DuckDB's "LINE n" in errors matches the file.
    sql_start_line: int = 1
    # (kind, value, file line) of each generic-test header line, compiled once columns are known.
    generic_tests: tuple[tuple[str, str, int], ...] = ()
    # the macro files' text when the model calls a macro (sql_macros), run before it is built
    macros: str = ""

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SqlTest:
    """A SELECT returning the rows that break a rule about `model`; zero rows means it passes."""

    name: str
    path: Path
    sql: str
    description: str
    model: str
    reads: tuple[str, ...]
    sql_start_line: int = 1
    # "singular" for a file in tests/, else the generic kind ("unique", "not_null", ...) and its columns.
    kind: str = "singular"
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Parsed:
    description: str
    directives: dict[str, str]
    generic: tuple[tuple[str, str, int], ...]
    body: str
    start_line: int
    tree: exp.Query


# Bump when what `discover` derives changes, so old manifests are not reused.
MANIFEST_VERSION = 3


def discover(root: Path, *, manifest: Path | None = None) -> tuple[list[SqlModel], list[SqlTest]]:
    """Read every model and test under `root`; models come back in dependency order.

    With `manifest`, the result is cached there keyed by a hash of every SQL file: a code server
    or run worker that loads unchanged SQL reuses it without importing or running sqlglot (parsing
    and lineage are most of the code location's load time). Any changed, added or removed file
    means a full parse, and the manifest is rewritten.

    Raises SourceError naming the file for anything that would otherwise fail later and less
    clearly: unparsable SQL, more than one statement, duplicate or self-referencing models,
    dependency cycles, tests that do not say which model they test, malformed test directives
    (with their line).
    """
    if not root.is_dir():
        raise SourceError(SOURCE, "the SQL model folder does not exist", file=str(root))
    if manifest is None:
        return _discover(root)
    digest = _tree_digest(root)
    with suppress(OSError, ValueError, KeyError, TypeError):
        cached = json.loads(manifest.read_text(encoding="utf-8"))
        if cached["digest"] == digest:
            models = _models_from_json(root, cached["models"])
            return models, [SqlTest(**_fields(root, t)) for t in cached["tests"]]
    models, tests = _discover(root)
    payload = {
        "digest": digest,
        "models": [_to_json(root, m) for m in models],
        "tests": [_to_json(root, t) for t in tests],
    }
    with suppress(OSError):  # a read-only checkout still loads, it just parses every time
        manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        tmp.replace(manifest)
    return models, tests


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256(f"v{MANIFEST_VERSION}".encode())
    for path in sorted(root.rglob("*.sql")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _to_json(root: Path, item: SqlModel | SqlTest) -> dict:
    """Paths are stored relative to `root`, so the manifest holds whichever way `root` is given."""
    record = dataclasses.asdict(item)
    record["path"] = Path(item.path).relative_to(root).as_posix()
    return record


def _fields(root: Path, record: dict) -> dict:
    """JSON stores paths as text and tuples as lists; give the dataclasses their own types back."""
    return {k: root / v if k == "path" else tuple(v) if isinstance(v, list) else v for k, v in record.items()}


def _models_from_json(root: Path, records: list[dict]) -> list[SqlModel]:
    models = []
    for record in records:
        fields = _fields(root, record)
        fields["column_lineage"] = {k: list(v) for k, v in record["column_lineage"].items()}
        fields["generic_tests"] = tuple(tuple(t) for t in record["generic_tests"])
        models.append(SqlModel(**fields))
    return models


def _discover(root: Path) -> tuple[list[SqlModel], list[SqlTest]]:
    files = sorted(p for p in root.rglob("*.sql") if p.relative_to(root).parts[0] != MACROS_FOLDER)
    test_files = [p for p in files if p.relative_to(root).parts[0] == TESTS_FOLDER]
    parsed = {p: _parse_file(p) for p in files}

    models: dict[str, SqlModel] = {}
    for path in (p for p in files if p not in test_files):
        model = _model_from(root, path, parsed[path])
        if model.table in models:
            raise SourceError(
                SOURCE,
                f"model {model.table} is defined twice (also in {models[model.table].path})",
                file=str(path),
            )
        models[model.table] = model

    trees = {m.path: parsed[m.path].tree for m in models.values()}
    ordered = with_macros(root, with_columns(topological_order(models.values()), trees))
    tests = [_test_from(path, parsed[path], models) for path in test_files]
    tests += [test for model in ordered for test in generic_tests(model)]
    names: dict[str, Path] = {}
    for test in tests:
        if test.name in names:
            raise SourceError(
                SOURCE, f"test {test.name} is defined twice (also in {names[test.name]})", file=str(test.path)
            )
        names[test.name] = test.path
    return ordered, tests


def generic_tests(model: SqlModel) -> list[SqlTest]:
    """The model's header directives as tests; a malformed one raises naming file and line."""
    tests = []
    for kind, value, line in model.generic_tests:
        try:
            compiled = compile_directive(kind, value, table=model.table, line=line, columns=model.columns)
        except DirectiveError as exc:
            raise SourceError(SOURCE, f"line {line}: {exc}", file=str(model.path), item=model.table) from exc
        tests.append(
            SqlTest(
                name=compiled.name,
                path=model.path,
                sql=compiled.sql,
                description=compiled.description,
                model=model.table,
                reads=(model.table,),
                kind=compiled.kind,
                columns=compiled.columns,
            )
        )
    return tests


def topological_order(models: Iterable[SqlModel]) -> list[SqlModel]:
    """Upstream models first; ties broken by schema and name so runs are reproducible."""
    by_table = {m.table: m for m in models}
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for table, model in by_table.items():
        sorter.add(table, *(t for t in model.reads if t in by_table))
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        raise SourceError(
            SOURCE,
            f"dependency cycle: {' -> '.join(cycle)} (each table is read by the next)",
            file=str(by_table[cycle[0]].path),
            item=cycle[0],
        ) from exc
    ordered: list[SqlModel] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(by_table[t] for t in ready)
        sorter.done(*ready)
    return ordered


def _model_from(root: Path, path: Path, parsed: _Parsed) -> SqlModel:
    rel = path.relative_to(root)
    if len(rel.parts) < 2:
        raise SourceError(
            SOURCE, "a model file must sit in a schema folder, e.g. marts/x.sql", file=str(path)
        )
    schema, name = rel.parts[0], path.stem
    for label, value in (("schema folder", schema), ("model name", name)):
        if not _IDENTIFIER.fullmatch(value):
            raise SourceError(
                SOURCE,
                f"{label} {value!r} must be a lower-case SQL identifier ([a-z_][a-z0-9_]*)",
                file=str(path),
            )
    if "tests" in parsed.directives:
        raise SourceError(SOURCE, "a model file cannot declare 'tests:'; move it to tests/", file=str(path))
    reads = _reads(parsed.tree, path)
    if f"{schema}.{name}" in reads:
        raise SourceError(SOURCE, f"model {schema}.{name} reads its own table", file=str(path))
    return SqlModel(
        name=name,
        schema=schema,
        path=path,
        sql=parsed.body,
        description=parsed.description,
        reads=reads,
        grain=_split_list(parsed.directives.get("grain", "")),
        tags=_split_list(parsed.directives.get("tags", "")),
        sql_start_line=parsed.start_line,
        generic_tests=parsed.generic,
    )


def _test_from(path: Path, parsed: _Parsed, models: dict[str, SqlModel]) -> SqlTest:
    target = parsed.directives.get("tests", "").strip().lower()
    if not target:
        raise SourceError(
            SOURCE, "a SQL test needs a header line '-- tests: <schema>.<model>'", file=str(path)
        )
    if parsed.generic:
        kind, _, line = parsed.generic[0]
        raise SourceError(
            SOURCE, f"line {line}: '{kind}:' belongs in the header of the model it tests", file=str(path)
        )
    if target not in models:
        raise SourceError(SOURCE, f"the test names model {target}, which does not exist", file=str(path))
    return SqlTest(
        name=path.stem,
        path=path,
        sql=parsed.body,
        description=parsed.description,
        model=target,
        reads=_reads(parsed.tree, path),
        sql_start_line=parsed.start_line,
    )


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _parse_file(path: Path) -> _Parsed:
    """Split the header comment from the SQL and parse the SQL as exactly one query."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, SqlglotError
    from sqlglot.tokens import TokenType

    text = path.read_text(encoding="utf-8")
    header_lines, body_offset = _header(text)
    description_lines: list[str] = []
    directives: dict[str, str] = {}
    generic: list[tuple[str, str, int]] = []
    for line_no, line in header_lines:
        match = _DIRECTIVE.fullmatch(line)
        if not match:
            description_lines.append(line)
        elif match.group(1).lower() in KINDS:
            generic.append((match.group(1).lower(), match.group(2).strip(), line_no))
        else:
            directives[match.group(1).lower()] = match.group(2).strip()
    try:
        # Parse the whole file, not just the body, so sqlglot's line numbers are file lines.
        statements = [
            s
            for s in sqlglot.parse(text, dialect="duckdb")
            if s is not None and not isinstance(s, exp.Semicolon)
        ]
        tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(text)
    except ParseError as exc:
        details = "; ".join(f"{e['description']} (line {e['line']}, column {e['col']})" for e in exc.errors)
        raise SourceError(SOURCE, f"SQL does not parse: {details}", file=str(path)) from exc
    except SqlglotError as exc:
        raise SourceError(SOURCE, f"SQL does not parse: {exc}", file=str(path)) from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        found = ", ".join(type(s).__name__.upper() for s in statements) or "nothing"
        raise SourceError(
            SOURCE, f"the file must hold exactly one SELECT query, found: {found}", file=str(path)
        )
    # End at the last SQL token: drops the trailing ';' and comments so the loader can wrap the body.
    last = [t for t in tokens if t.token_type != TokenType.SEMICOLON][-1]
    body = text[body_offset : last.end + 1].strip()
    return _Parsed(
        description="\n".join(description_lines).strip(),
        directives=directives,
        generic=tuple(generic),
        body=body,
        start_line=text.count("\n", 0, text.index(body, body_offset)) + 1,
        tree=statements[0],
    )


def _header(text: str) -> tuple[list[tuple[int, str]], int]:
    """(file line, text) of the leading `--` / `/* */` comments, and the offset where the SQL starts."""
    lines: list[tuple[int, str]] = []
    pos = 0
    while True:
        stripped = len(text) - len(text[pos:].lstrip())
        line_no = text.count("\n", 0, stripped) + 1
        if text.startswith("--", stripped):
            end = text.find("\n", stripped)
            end = len(text) if end == -1 else end
            lines.append((line_no, text[stripped + 2 : end].strip()))
            pos = end
        elif text.startswith("/*", stripped):
            end = text.find("*/", stripped)
            if end == -1:
                return lines, pos  # unterminated: let the parser report it
            block = text[stripped + 2 : end].splitlines()
            lines.extend((line_no + i, line.strip().lstrip("*").strip()) for i, line in enumerate(block))
            pos = end + 2
        else:
            return lines, pos


def _reads(tree: exp.Query, path: Path) -> tuple[str, ...]:
    """Schema-qualified tables the query reads; CTEs and table functions are not tables."""
    from sqlglot import exp

    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    reads: set[str] = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # read_csv(...), range(...), unnest(...)
        name = table.name.lower()
        if not table.db:
            if name in ctes:
                continue
            raise SourceError(
                SOURCE,
                f"table {table.name!r} is not schema-qualified (write e.g. raw.{table.name})",
                file=str(path),
            )
        reads.add(f"{table.db.lower()}.{name}")
    return tuple(sorted(reads))
