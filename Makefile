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

# The main job: validate the sample city, render every site for every phase, then rehearse
# the canary wave's move to `dual` on the device twin with one broken central hand-off
# (that site is rolled back to exactly its backup; apply then exits 1 by design).
demo: install
	$(BIN)/netprov validate --inventory inventory
	$(BIN)/netprov allocate --inventory inventory
	$(BIN)/netprov render --inventory inventory --phase all --out build/configs
	NETPROV_TWIN_TIME_SCALE=30 $(BIN)/netprov apply --inventory inventory --twin \
	  --scenario scenarios/canary-broken-central.yaml --wave 0 --phase dual --yes \
	  --db sqlite:///build/demo-journal.db --backups build/backups --change-id DEMO-1; test $$? -le 1
	$(BIN)/netprov runs --db sqlite:///build/demo-journal.db --last 1

bench: install
	$(BIN)/python bench/bench_inventory.py --sites 10000
	$(BIN)/python bench/bench_twin.py --devices 500 --workers 50
	$(BIN)/python bench/bench_check.py --sites 10000

clean:
	rm -rf build .mypy_cache .pytest_cache .ruff_cache
