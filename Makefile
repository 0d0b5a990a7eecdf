# The two set-up commands are `make run` and `make test`; both work on a fresh machine with
# nothing but Python 3.11 and make (they create .venv and install the project first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install run test test-fast dev lint snapshot demo-data bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,deploy]'
	touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: hyte_assets/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp hyte_assets/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

## Materialise the whole asset graph on the embedded default (DuckDB file + snapshot data).
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m hyte_assets.refresh

## Run the test suite (unit, asset, end-to-end) on three pytest-xdist workers: one more than the cores,
## as the end-to-end and daemon tests mostly wait on their servers (TEST_WORKERS=0: one process).
TEST_WORKERS ?= 3
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

## The inner loop: unit and SQL tests and the file checks, no Dagster runs (tests marked slow left out).
FAST_FILES := test_catalog_files.py test_snapshot_files.py test_layout.py test_definitions.py
FAST_TESTS := hyte_assets_tests/lib hyte_assets_tests/sql $(addprefix hyte_assets_tests/,$(FAST_FILES))
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not slow" $(FAST_TESTS)

## The Dagster UI on http://127.0.0.1:3000 (shares run history with `make run`).
dev: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## ruff for the Python code, sqlfluff (DuckDB dialect, settings in .sqlfluff) for dbt_like_sql/.
lint: $(STAMP)
	$(BIN)/ruff check hyte_assets hyte_assets_tests
	$(BIN)/ruff format --check hyte_assets hyte_assets_tests
	$(BIN)/sqlfluff lint dbt_like_sql

## Record fresh Sotkanet/StatFin snapshots (needs the network; see README).
snapshot: $(STAMP)
	$(BIN)/python -m hyte_assets.lib.record_snapshots

## Regenerate the seeded demo data in data/snapshots (documented in data/snapshots/README.md).
demo-data: $(STAMP)
	$(BIN)/python -m hyte_assets.lib.demo_data

## Performance figures against their targets, written into BENCHMARKS.md (about 15 min; runs
## `make test-fast` and `make test` too; `BENCH_ARGS=--skip-tests` leaves them out).
bench: $(STAMP)
	$(BIN)/python -m hyte_assets_tests.benchmark $(BENCH_ARGS)

clean:
	rm -rf data/warehouse data/exports/hyte data/cache $(DAGSTER_HOME)
