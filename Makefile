# `make run`: the demo store day through the embedded stack. `make test`: lint, types, tests.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The sync-health page's browser tests drive Debian's chromium (headless, through Playwright).
CHROMIUM := /usr/bin/chromium
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install promtool run dev test lint typecheck pytest test-long test-erp-postgres chaos chaos-short bench bench-reservations clean

install: $(INSTALLED) $(CHROMIUM) promtool

# Several checkouts may install at once: apt waits for the dpkg lock instead of failing.
APT_GET := apt-get -o DPkg::Lock::Timeout=600

$(CHROMIUM):
	$(APT_GET) install -y chromium || ($(APT_GET) update && $(APT_GET) install -y chromium)

# promtool validates and unit-tests the alert rules (ops/prometheus/): Debian's prometheus
# package, installed only where it is missing (needs root and apt-get; else a warning).
promtool:
	@command -v promtool >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 \
		&& $(APT_GET) update -qq && $(APT_GET) install -y --no-install-recommends prometheus >/dev/null; } \
		|| echo "warning: promtool not installed; the alert rule tests will be skipped"

$(INSTALLED): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: install
	$(VENV)/bin/tillsync dev

dev: install
	$(VENV)/bin/tillsync dev --keep

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

pytest: install
	$(PYTHON) -m pytest -q -m "not long"

# The tests that take minutes each: the POSLog day in per-transaction mode (an invoice a
# ticket), and two workers on Tryton served from PostgreSQL by gunicorn under concurrency.
test-long: install
	$(PYTHON) -m pytest -q -m long

test: lint typecheck pytest

# The tests that use the ERP, on Tryton as production runs it: PostgreSQL, gunicorn's worker
# processes (TILLSYNC_TEST_ERP_PROCESSES, default 4) and trytond-worker for queued tasks.
test-erp-postgres: install
	TILLSYNC_TEST_ERP_BACKEND=postgresql $(PYTHON) -m pytest -q tests/e2e tests/finance tests/ingest

# The chaos suite (docs/chaos.md): a seeded store day of 2,000 tickets through the embedded
# stack (two worker processes, the store on PostgreSQL) while workers, the ERP, Temporal and
# the store's connections fail on a seeded schedule, then the invariant on the ERP's own books.
# chaos-short: CI's version, 300 tickets and each fault kind once (CHAOS_ARGS=--seed N).
chaos: install
	$(PYTHON) -m tests.chaos $(CHAOS_ARGS)

chaos-short: install
	$(PYTHON) -m tests.chaos --short $(CHAOS_ARGS)

# Throughput and latency against a naive saga, in one run (`make bench BENCH_ARGS=--quick`).
bench: install
	$(PYTHON) -m benchmarks.pace $(BENCH_ARGS)

# A batch's reservation through tillsync's Tryton module against Tryton's own methods (A/B).
bench-reservations: install
	$(PYTHON) -m benchmarks.reservation_paths

clean:
	rm -rf .data .mypy_cache .ruff_cache .pytest_cache
