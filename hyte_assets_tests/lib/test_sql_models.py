"""Tests for the dbt_like_sql loader: parsing, dependency order, atomic builds and SQL tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.sql_models import SqlModel, discover, topological_order
from hyte_assets.lib.sql_run import materialize, preview, run_test

STAGING = """\
-- Sotkanet values cleaned for the marts.
-- One row per measure, region and year.
-- grain: measure_id, region_code, year
-- tags: sotkanet, staging
with latest as (
    select measure_id, region_code, year, value
    from raw.sotkanet_values
    where value is not null
)
select l.measure_id, l.region_code, l.year, l.value, m.name as measure_name
from latest l
join catalog.measures m on m.measure_id = l.measure_id;
"""

MART = """\
/*
 * Indicator values for the welfare plan.
 */
select *
from staging.stg_sotkanet
"""

TEST = """\
-- tests: marts.indicator_values
-- Percentages stay within 0-100.
select * from marts.indicator_values where value not between 0 and 100
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(
        tmp_path / "dbt_like_sql",
        {
            "staging/stg_sotkanet.sql": STAGING,
            "marts/indicator_values.sql": MART,
            "tests/pct_range.sql": TEST,
        },
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""
        create schema raw;
        create schema catalog;
        create table raw.sotkanet_values as
            select * from (values
                ('m1', '111', 2023, 12.5), ('m1', '111', 2024, 140.0), ('m2', '111', 2024, null)
            ) v(measure_id, region_code, year, value);
        create table catalog.measures as select * from (values ('m1', 'Percentage')) v(measure_id, name);
    """)
    return con


def error_of(root: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        discover(root)
    return info.value


def test_discover_reads_header_dependencies_and_order(project: Path) -> None:
    models, tests = discover(project)

    assert [m.table for m in models] == ["staging.stg_sotkanet", "marts.indicator_values"]
    stg, mart = models
    assert stg.description == "Sotkanet values cleaned for the marts.\nOne row per measure, region and year."
    assert stg.grain == ("measure_id", "region_code", "year")
    assert stg.tags == ("sotkanet", "staging")
    assert stg.reads == ("catalog.measures", "raw.sotkanet_values")  # CTE `latest` is not a table
    assert stg.sql.startswith("with latest as") and stg.sql.endswith("l.measure_id")  # header and ';' dropped
    assert mart.description == "Indicator values for the welfare plan."
    assert mart.reads == ("staging.stg_sotkanet",)
    assert [(t.name, t.model, t.reads) for t in tests] == [
        ("pct_range", "marts.indicator_values", ("marts.indicator_values",))
    ]
    assert tests[0].description == "Percentages stay within 0-100."


def test_columns_and_lineage(project: Path) -> None:
    stg, mart = discover(project)[0]

    assert stg.columns == ("measure_id", "region_code", "year", "value", "measure_name")
    assert stg.column_lineage["value"] == ["raw.sotkanet_values.value"]
    assert stg.column_lineage["measure_name"] == ["catalog.measures.name"]
    # `select *` over a model expands through the upstream model's columns.
    assert mart.columns == stg.columns
    assert mart.column_lineage["year"] == ["staging.stg_sotkanet.year"]


def test_star_over_raw_table_leaves_columns_unknown(tmp_path: Path) -> None:
    root = write(tmp_path, {"staging/s.sql": "select x.*, y.b from raw.x join raw.y on x.k = y.k"})
    (model,), _ = discover(root)
    assert model.columns == ()
    assert model.column_lineage == {"b": ["raw.y.b"]}


def test_table_functions_and_nested_ctes_are_not_reads(tmp_path: Path) -> None:
    sql = """
        with years as (select range as year from range(2020, 2025))
        select y.year, (with inner_cte as (select 1 as one) select one from inner_cte) as one, c.*
        from years y cross join read_csv('data/catalog/measures.csv') c
        join raw.x on raw.x.year = y.year
    """
    root = write(tmp_path, {"staging/s.sql": sql})
    assert discover(root)[0][0].reads == ("raw.x",)


def test_duckdb_syntax_parses_and_runs(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    sql = """\
-- Exercises the DuckDB syntax the models use.
select
    measure_id,
    arg_max(value, year) as latest_value,
    count(*) filter (where value is null) as missing,
    string_agg(region_code, ',' order by region_code) as regions,
    list_sort(list(year)) as years,
    list_max([1, 2, 3]) as three,
    regr_slope(value, year) as slope,
    coalesce(try_cast('x' as integer), max(year)::integer, 0) as year_or_zero,
    {'a': 1, 'b': 'x'} as a_struct,
    list_transform([1, 2], lambda x: x + 1) as a_lambda,
    row_number() over (order by measure_id) as rn
from raw.sotkanet_values
group by measure_id
qualify rn <= 2;
"""
    root = write(tmp_path, {"marts/syntax.sql": sql})
    (model,), _ = discover(root)
    assert model.reads == ("raw.sotkanet_values",)
    assert model.column_lineage["latest_value"] == ["raw.sotkanet_values.value", "raw.sotkanet_values.year"]
    assert materialize(con, model) == 2


def test_parse_error_names_file_and_line(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/broken.sql": "-- header\nselect a,\nfrom raw.x where (\n"})
    err = error_of(root)
    assert err.file == str(root / "marts" / "broken.sql")
    assert "does not parse" in str(err) and "line 3" in str(err)


@pytest.mark.parametrize(
    "sql",
    ["select 1; select 2", "create table marts.x as select 1", "-- only a comment\n"],
)
def test_file_must_be_one_select(tmp_path: Path, sql: str) -> None:
    root = write(tmp_path, {"marts/x.sql": sql})
    err = error_of(root)
    assert "exactly one SELECT" in str(err) and err.file == str(root / "marts" / "x.sql")


def test_union_counts_as_one_select(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "select a from raw.p union all select a from raw.q"})
    assert discover(root)[0][0].reads == ("raw.p", "raw.q")


def test_duplicate_model_is_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "select 1 as a", "marts/sub/x.sql": "select 2 as a"})
    assert "marts.x is defined twice" in str(error_of(root))


def test_self_reference_is_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "select * from marts.x"})
    err = error_of(root)
    assert "reads its own table" in str(err) and err.file == str(root / "marts" / "x.sql")


def test_cycle_is_named(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "staging/a.sql": "select * from marts.c",
            "intermediate/b.sql": "select * from staging.a",
            "marts/c.sql": "select * from intermediate.b",
        },
    )
    message = str(error_of(root))
    assert "dependency cycle" in message
    for table in ("staging.a", "intermediate.b", "marts.c"):
        assert table in message


def test_unqualified_table_is_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "select * from sotkanet_values"})
    assert "not schema-qualified" in str(error_of(root))


def test_sql_test_must_name_an_existing_model(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "select 1 as a", "tests/t.sql": "select * from marts.x"})
    assert "-- tests:" in str(error_of(root))
    write(root, {"tests/t.sql": "-- tests: marts.y\nselect * from marts.x"})
    assert "marts.y, which does not exist" in str(error_of(root))


def test_topological_order_is_deterministic() -> None:
    def model(schema: str, name: str, *reads: str) -> SqlModel:
        return SqlModel(
            name=name, schema=schema, path=Path(f"{schema}/{name}.sql"), sql="", description="", reads=reads
        )

    models = [
        model("marts", "z", "staging.b", "staging.a"),
        model("staging", "b"),
        model("staging", "a", "raw.x"),
    ]
    assert [m.table for m in topological_order(models)] == ["staging.a", "staging.b", "marts.z"]
    assert [m.table for m in topological_order(reversed(models))] == ["staging.a", "staging.b", "marts.z"]


def test_materialize_run_test_and_preview(project: Path, con: duckdb.DuckDBPyConnection) -> None:
    models, (test,) = discover(project)
    assert [materialize(con, m) for m in models] == [2, 2]

    offending = run_test(con, test)
    assert offending[["measure_id", "year", "value"]].to_dict("records") == [
        {"measure_id": "m1", "year": 2024, "value": 140.0}
    ]
    assert len(preview(con, "marts", "indicator_values", limit=1)) == 1


def test_failed_build_keeps_previous_table(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    root = write(tmp_path, {"marts/years.sql": "select year::integer as year from raw.sotkanet_values"})
    (good,), _ = discover(root)
    assert materialize(con, good) == 3

    # Parses fine but fails at runtime on the 'x' row.
    bad_sql = """\
-- header line

select cast(region_code || year as integer) as year,
    cast('x' || year as integer) as y
from raw.sotkanet_values
"""
    write(root, {"marts/years.sql": bad_sql})
    (bad,), _ = discover(root)
    with pytest.raises(SourceError) as info:
        materialize(con, bad)

    assert info.value.file == str(root / "marts" / "years.sql")
    assert "Conversion Error" in str(info.value)
    assert "LINE 4" in str(info.value)  # DuckDB's line number is the file's line number
    assert con.execute("select count(*) from marts.years").fetchone() == (3,)
    assert con.execute("select 1").fetchone() == (1,)  # the connection is usable again


def test_failed_sql_test_names_file(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    root = write(
        tmp_path,
        {
            "marts/x.sql": "select 1 as a",
            "tests/t.sql": "-- tests: marts.x\nselect * from marts.x where b > 0",
        },
    )
    _, (test,) = discover(root)
    materialize(con, discover(root)[0][0])
    with pytest.raises(SourceError) as info:
        run_test(con, test)
    assert info.value.file == str(root / "tests" / "t.sql") and "Binder Error" in str(info.value)


def test_import_does_not_load_sqlglot() -> None:
    code = "import sys, hyte_assets.lib.sql_models; print('sqlglot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


STATUS_MODEL = """\
-- A small table with a key, a required column and a status from a fixed list.
-- unique: id
-- not_null: id, label
/* accepted_values: status = ok, it's fine */
select * from raw.statuses
"""


def statuses(con: duckdb.DuckDBPyConnection, rows: list[tuple[int | None, str | None, str | None]]) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create or replace table raw.statuses (id integer, label varchar, status varchar)")
    con.executemany("insert into raw.statuses values (?, ?, ?)", rows)


def test_header_directives_become_tests_named_after_the_model(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/status.sql": STATUS_MODEL})
    [model], tests = discover(root)
    assert "unique" not in model.description and model.description.startswith("A small table")
    assert [(t.name, t.kind, t.columns, t.model) for t in tests] == [
        ("status__unique__id", "unique", ("id",), "marts.status"),
        ("status__not_null__id__label", "not_null", ("id", "label"), "marts.status"),
        ("status__accepted_values__status", "accepted_values", ("status",), "marts.status"),
    ]
    assert all(t.path == model.path and t.reads == ("marts.status",) for t in tests)


def test_generic_tests_pass_on_a_clean_table_and_fail_on_a_violating_one(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = write(tmp_path, {"marts/status.sql": STATUS_MODEL})
    [model], tests = discover(root)
    by_kind = {t.kind: t for t in tests}
    # NULL passes accepted_values, as in dbt; the quote in "it's fine" is a literal, not SQL
    statuses(con, [(1, "a", "ok"), (2, "b", "it's fine"), (3, "c", None)])
    materialize(con, model)
    assert {kind: len(run_test(con, t)) for kind, t in by_kind.items()} == dict.fromkeys(by_kind, 0)

    statuses(con, [(1, "a", "ok"), (1, None, "ok"), (None, "c", "broken"), (4, "d", "broken")])
    materialize(con, model)
    assert run_test(con, by_kind["unique"]).to_dict("records") == [{"id": 1, "rows_found": 2}]
    assert sorted(run_test(con, by_kind["not_null"])["null_columns"]) == ["id", "label"]
    assert run_test(con, by_kind["accepted_values"]).to_dict("records") == [
        {"value_found": "broken", "rows_found": 2}
    ]


@pytest.mark.parametrize(
    ("directive", "problem"),
    [
        ("unique:", "unique: list column names, separated by commas"),
        ("not_null: a,, b", "not_null: list column names, separated by commas"),
        ("unique: a-b", "unique: 'a-b' is not a plain column name"),
        ("not_null: nope", "not_null: the model has no column 'nope'"),
        ("unique: a, a", "unique: a column is named twice"),
        ("accepted_values: b", "accepted_values: write 'column = value, value, ...'"),
        ("accepted_values: b =", "accepted_values: list non-empty values"),
        ("accepted_values: b = x,, y", "accepted_values: list non-empty values"),
        ("accepted_values: a, b = x", "accepted_values: name exactly one column"),
    ],
)
def test_malformed_directive_names_file_and_line(tmp_path: Path, directive: str, problem: str) -> None:
    root = write(
        tmp_path, {"marts/x.sql": f"-- Two columns.\n-- grain: a\n-- {directive}\nselect 1 as a, 'x' as b"}
    )
    err = error_of(root)
    assert err.file == str(root / "marts" / "x.sql") and err.item == "marts.x"
    assert f"line 3: {problem}" in str(err)


def test_directive_line_in_a_comment_block_is_counted(tmp_path: Path) -> None:
    root = write(tmp_path, {"marts/x.sql": "/*\n * About x.\n * unique: missing\n */\nselect 1 as a"})
    assert "line 3: unique: the model has no column 'missing'" in str(error_of(root))


def test_directive_in_a_test_file_is_rejected(tmp_path: Path) -> None:
    root = write(
        tmp_path, {"marts/x.sql": "select 1 as a", "tests/t.sql": "-- tests: marts.x\n-- unique: a\nselect 1"}
    )
    err = error_of(root)
    assert err.file == str(root / "tests" / "t.sql")
    assert "line 2: 'unique:' belongs in the header of the model it tests" in str(err)


def test_generic_and_singular_test_names_must_differ(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "marts/x.sql": "-- unique: a\nselect 1 as a",
            "tests/x__unique__a.sql": "-- tests: marts.x\nselect * from marts.x where false",
        },
    )
    assert "test x__unique__a is defined twice" in str(error_of(root))


def test_columns_of_an_unexpandable_star_are_not_checked(tmp_path: Path) -> None:
    """Over a raw table the loader does not know the columns; DuckDB reports a wrong one at run time."""
    root = write(tmp_path, {"marts/x.sql": "-- not_null: anything\nselect * from raw.statuses"})
    [model], [test] = discover(root)
    assert model.columns == () and test.name == "x__not_null__anything"


def test_macros_are_created_before_the_models_that_call_them(tmp_path: Path) -> None:
    root = write(
        tmp_path / "sql",
        {
            "macros/arith.sql": "-- shared\ncreate or replace temp macro twice(x) as 2 * x;\n"
            "create or replace temp macro quad(x) as twice(twice(x));\n",
            "marts/calls.sql": "select quad(10) + 2 as a",
            "marts/plain.sql": "select 1 as b",
        },
    )
    models = {m.table: m for m in discover(root)[0]}
    assert set(models) == {"marts.calls", "marts.plain"}  # the macro file is not a model
    assert "macro twice" in models["marts.calls"].macros and models["marts.plain"].macros == ""
    con = duckdb.connect()
    materialize(con, models["marts.calls"])
    assert con.execute("select a from marts.calls").fetchone() == (42,)
    # the macros are temporary: a file built this way carries none
    found = con.execute(
        "select database_name from duckdb_functions() where function_name = 'quad'"
    ).fetchall()
    assert found == [("temp",)]
