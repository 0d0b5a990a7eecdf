"""The parse cache of dbt_like_sql: reused while the SQL is unchanged, rebuilt when it changes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hyte_assets.lib.sql_models import discover

SQL_ROOT = Path(__file__).resolve().parents[2] / "dbt_like_sql"


def test_manifest_gives_the_same_models_and_tests(tmp_path):
    manifest = tmp_path / "manifest.json"
    fresh = discover(SQL_ROOT)
    assert discover(SQL_ROOT, manifest=manifest) == fresh  # written
    assert discover(SQL_ROOT, manifest=manifest) == fresh  # read back


def test_unchanged_sql_is_not_parsed_again(tmp_path):
    manifest = tmp_path / "manifest.json"
    discover(SQL_ROOT, manifest=manifest)
    code = (
        "import sys; from pathlib import Path; from hyte_assets.lib.sql_models import discover; "
        f"models, _ = discover(Path({str(SQL_ROOT)!r}), manifest=Path({str(manifest)!r})); "
        "print(len(models), 'sqlglot' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(len(discover(SQL_ROOT)[0])), "False"]


def test_a_changed_file_invalidates_the_manifest(tmp_path):
    root = tmp_path / "sql"
    shutil.copytree(SQL_ROOT, root)
    manifest = tmp_path / "manifest.json"
    before, _ = discover(root, manifest=manifest)
    model = root / "marts" / "indicator_values.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("select", "select 1 as added_column,", 1))
    after, _ = discover(root, manifest=manifest)
    changed = {m.table: m for m in after}["marts.indicator_values"]
    assert "added_column" in changed.columns
    assert changed != {m.table: m for m in before}["marts.indicator_values"]
    assert json.loads(manifest.read_text(encoding="utf-8"))["digest"] != ""
