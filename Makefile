# Everything a fresh machine needs: `make test` and `make demo` create the virtual
# environment and install the project on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

# The README's test command: lint, types, then the whole test suite.
test: lint typecheck unit

# The main job: validate the sample city and render every site for every phase.
demo: install
	$(BIN)/netprov validate --inventory inventory
	$(BIN)/netprov allocate --inventory inventory
	$(BIN)/netprov render --inventory inventory --phase all --out build/configs

bench: install
	$(BIN)/python bench/bench_inventory.py --sites 10000
	$(BIN)/python bench/bench_twin.py --devices 500 --workers 50

clean:
	rm -rf build .mypy_cache .pytest_cache .ruff_cache
