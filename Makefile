# Everything a fresh machine needs: `make test` and `make demo` create the virtual
# environment and install the project on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit suite corpus demo bench clean browser interop postgres \
	redis nautobot nautobot-template

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

# Headless Chromium for the report test (Debian's package). Opt-in: `make browser`; CI
# (CI=true) asks for it, an engineer's `make test` never runs apt-get.
browser:
	-@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

# PostgreSQL for the journal tests (Debian's package; the tests start their own throwaway
# server on loopback). Opt-in like the browser: `make postgres`, or CI=true.
postgres:
	-@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null; }

# Redis for the scale-out tests (Debian's package; the tests start their own throwaway
# server on loopback). Opt-in like PostgreSQL: `make redis`, or CI=true.
redis:
	-@command -v redis-server >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null; }

# Nautobot for the source-of-truth tests (tests/test_nautobot.py), in a venv of its own
# (Django and its pins stay out of netprov's); its PostgreSQL and Redis are Debian's. The
# tests start it on loopback from a migrated template database (tests/fixtures/nautobot/):
# `make nautobot-template` migrates a fresh one and dumps it again (minutes).
NAUTOBOT_VERSION := 3.2.7
NAUTOBOT := .venv-nautobot
$(NAUTOBOT)/.installed:
	$(PYTHON) -m venv $(NAUTOBOT)
	$(NAUTOBOT)/bin/python -m pip install --quiet --upgrade pip
	$(NAUTOBOT)/bin/python -m pip install --quiet "nautobot==$(NAUTOBOT_VERSION)"
	touch $@

nautobot: postgres redis $(NAUTOBOT)/.installed

nautobot-template: install nautobot
	$(BIN)/python -m tests.nautobot_server

# Tiers: `make unit` is the pure and offline tests (no twin, under a minute); `make suite`
# is everything, the twin tests spread over worker processes (they mostly wait on sockets).
unit: install
	$(BIN)/pytest -m "not twin and not slow and not nautobot"

suite: install $(if $(CI),browser postgres redis nautobot)
	$(BIN)/pytest -n 4 --dist loadgroup

# The rehearsal of every office of the corpus on the twin (tests/test_corpus.py): part of
# `make suite`; alone, what netprov must never do to a router in service.
corpus: install
	$(BIN)/pytest -n 4 --dist loadgroup -m corpus

# The README's test command: lint, types, Ansible against the twin, then the whole test suite
# (last, so pytest's summary line closes the output).
test: lint typecheck interop suite

# The main job: validate the sample city, render every site for every phase, then record
# the canary wave's move to `central` as git would hold it (`promote`, one phase at a time,
# in a copy of the inventory under build/: the sample stays as it is) and rehearse the
# cutover on the device twin. `cutover` takes no --to: it converges each site to its
# desired phase. One site's central hand-off is on the wrong VLAN (it is rolled back to
# exactly its backup and the health gate stops the rollout; cutover then exits 1 by
# design). `status` shows desired (git) beside the journal, then the managers' report.
# --now places the rehearsal inside the sites' maintenance windows. The sample city's
# secrets are not in git (inventory/secrets/README.md) and the twin makes its own up, so
# validate checks the references by form (`--secrets skip`, as CI's pull-request job).
DEMO_DB := sqlite:///build/demo-journal.db
DEMO_INV := build/inventory
demo: install
	rm -rf build/demo-journal.db build/backups $(DEMO_INV)
	$(BIN)/netprov validate --inventory inventory --secrets skip
	$(BIN)/netprov allocate --inventory inventory
	$(BIN)/netprov render --inventory inventory --phase all --out build/configs
	mkdir -p build && cp -r inventory $(DEMO_INV)
	$(BIN)/netprov promote --inventory $(DEMO_INV) --wave 0 --to dual
	$(BIN)/netprov promote --inventory $(DEMO_INV) --wave 0 --to central
	git diff --no-index --stat inventory $(DEMO_INV); test $$? -le 1
	NETPROV_TWIN_TIME_SCALE=30 $(BIN)/netprov cutover --inventory $(DEMO_INV) --twin \
	  --scenario scenarios/canary-broken-central.yaml --wave 0 --yes \
	  --now 2026-11-24T02:00 --db $(DEMO_DB) --backups build/backups --change-id DEMO-1; \
	  test $$? -le 1
	$(BIN)/netprov status --inventory $(DEMO_INV) --db $(DEMO_DB) --wave 0
	$(BIN)/netprov report --inventory $(DEMO_INV) --db $(DEMO_DB) --lang id --out build/report.html

# Ansible's cisco.ios and community.routeros modules, unmodified, against `netprov twin up`
# (interop/playbook.yml). Ansible gets its own venv: 12.3 is the last release for Python 3.11.
INTEROP := .venv-interop
$(INTEROP)/.installed:
	$(PYTHON) -m venv $(INTEROP)
	$(INTEROP)/bin/python -m pip install --quiet --upgrade pip
	$(INTEROP)/bin/python -m pip install --quiet "ansible==12.3.0" paramiko
	touch $@

interop: install $(INTEROP)/.installed
	$(BIN)/python interop/run.py

bench: install
	$(BIN)/python bench/bench_inventory.py --sites 10000
	$(BIN)/python bench/bench_twin.py --devices 500 --workers 50
	$(BIN)/python bench/bench_check.py --sites 10000
	$(BIN)/python bench/bench_change.py --devices 100 --workers 10
	$(BIN)/python bench/bench_cutover.py
	$(BIN)/python bench/bench_downtime.py

clean:
	rm -rf build .mypy_cache .pytest_cache .ruff_cache $(INTEROP) $(NAUTOBOT)
