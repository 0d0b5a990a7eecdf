"""The code location loads, follows the project's conventions, and stays light to import."""

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg

from hyte_assets.definitions import defs


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs())


def test_every_asset_has_group_owner_kind_and_description():
    specs = list(defs().resolve_all_asset_specs())
    assert len(specs) > 30
    for spec in specs:
        name = spec.key.to_user_string()
        assert spec.group_name and spec.group_name != "default", name
        assert spec.owners, name
        assert spec.kinds, name
        assert spec.description and len(spec.description) > 20, name


def test_refresh_job_runs_in_process_and_covers_the_graph():
    definitions = defs()
    job = definitions.resolve_job_def("refresh_all")
    assert job.executor_def.name == "in_process"
    job_keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    all_keys = {spec.key.to_user_string() for spec in definitions.resolve_all_asset_specs()}
    # Everything but the monthly-partitioned asset, which make run materialises in its own ranged run.
    assert all_keys - job_keys == {"raw/employment_monthly"}


def test_sql_models_are_assets_with_dependencies_from_the_parser():
    graph = defs().resolve_asset_graph()
    scorecard = graph.get(dg.AssetKey(["reports", "scorecard_indicator"]))
    assert dg.AssetKey(["marts", "measure_series"]) in scorecard.parent_keys
    staging = graph.get(dg.AssetKey(["staging", "stg_sotkanet"]))
    assert staging.parent_keys == {dg.AssetKey(["raw", "sotkanet_values"])}


# Imported inside the functions that use them (docs/architecture.md): a code server, the webserver
# and every `make run` load the location, and these cost seconds between them. duckdb is not listed:
# `WarehouseResource` is built on `dagster_duckdb.DuckDBResource`, whose module imports it.
HEAVY_MODULES = (
    "pandas",
    "numpy",
    "requests",
    "urllib3",
    "great_expectations",
    "matplotlib",
    "jinja2",
    "markdown_it",
    "openpyxl",
    "xlsxwriter",
    "sqlglot",
)


def test_loading_the_code_location_does_not_import_heavy_libraries():
    """A fresh interpreter that imports the location and builds its definitions and repository
    snapshot (what a code server does) has imported Dagster and the project, none of HEAVY_MODULES."""
    defs()  # writes data/cache/dbt_like_sql_manifest.json if missing: a load with unchanged SQL skips sqlglot
    code = (
        "import sys, json; from hyte_assets.definitions import defs; "
        "from dagster._core.remote_representation.external_data import RepositorySnap; "
        "RepositorySnap.from_def(defs().get_repository_def()); "
        f"print(json.dumps(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_package_loader_finds_what_dagsters_folder_loader_finds() -> None:
    """`definitions.load_package` (faster) against `dg.load_from_defs_folder` as the oracle."""
    import hyte_assets.defs
    from hyte_assets.definitions import load_package

    ours = load_package(hyte_assets.defs)
    oracle = dg.load_from_defs_folder(path_within_project=Path(hyte_assets.defs.__file__).parent.parent)

    def inventory(found: dg.Definitions) -> dict[str, list[str]]:
        graph = found.resolve_asset_graph()
        return {
            "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
            "checks": sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys),
            "jobs": sorted(j.name for j in found.jobs or []),
            "schedules": sorted(s.name for s in found.schedules or []),
            "sensors": sorted(s.name for s in found.sensors or []),
            "resources": sorted(found.resources or {}),
        }

    assert inventory(ours) == inventory(oracle)
    assert len(inventory(ours)["assets"]) > 70
