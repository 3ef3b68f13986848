# The two README commands: `make demo` (the main job) and `make test` (the whole suite).
# Needs only python3 and make: uv comes from PyPI into .tools/ when it is not on PATH.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PACKAGES := tap-bigcommerce/tap_bigcommerce transforms/map_bigcommerce_iterable \
	target-iterable/target_iterable sandbox/sandbox reconcile/bigcommerce_iterable_reconcile

.PHONY: install lint format specs test demo bench benchmark bench-journeys bench-latency bench-follow-memory reliability reliability-fuzz audit clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet uv

install: $(UV)
	$(UV) sync --all-packages --locked
	$(UV) run meltano install

lint: install
	$(UV) run ruff format --check .
	$(UV) run ruff check .
	$(UV) run mypy $(PACKAGES) scripts

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

# BigCommerce's OpenAPI files into specs/bigcommerce/, pinned and sha256-verified (specs/README.md).
specs:
	python3 scripts/fetch_specs.py

# Without the specs (no ../shared, no network) the suite still runs: one test fails saying how to get them.
test: lint
	python3 scripts/fetch_specs.py || true
	$(UV) run pytest -n auto --dist loadfile

demo: install
	$(UV) run python scripts/demo.py

# Not part of `make test`: about 40 minutes; writes benchmarks/RESULTS.md, results.json, results.png,
# then the journeys section (bench-journeys).
bench: install
	$(UV) run python benchmarks/run.py
	$(UV) run python benchmarks/journeys.py

# Journey entries, Iterable write requests, the delivery ledger's size and CPU: first sync,
# no-change re-run, full re-read and 1% delta at 1k and 10k orders, the ledger on SQLite and
# PostgreSQL (about 15 minutes); writes benchmarks/journeys.json and the "Journeys and the
# delivery ledger" section of benchmarks/RESULTS.md.
bench-journeys: install
	$(UV) run python benchmarks/journeys.py

benchmark: bench

# Follow mode: change-to-Iterable latency at 1, 10 and 50 changes/s and with 10% of webhooks lost
# (about 10 minutes); writes the "Follow-mode latency" section of benchmarks/RESULTS.md.
bench-latency: install
	$(UV) run python benchmarks/latency.py

# Follow mode over 100,000 changes: RSS of the tap, mapper and target (start, peak, end, slope);
# about 45 minutes; writes the "Follow-mode memory" section of benchmarks/RESULTS.md.
bench-follow-memory: install
	$(UV) run python benchmarks/follow_memory.py

# The long reliability suite (3,000-order store, 10 kill seeds, 3,000 fuzz examples per
# property), then docs/RELIABILITY.md regenerated from what it recorded.
reliability: install
	rm -f .reliability-results.jsonl
	RELIABILITY_LONG=1 RELIABILITY_RESULTS=$(CURDIR)/.reliability-results.jsonl \
		$(UV) run pytest tests/reliability -q -p no:cacheprovider --timeout=3600 \
		--ignore=tests/reliability/test_reliability_doc.py  # it checks the document made next
	RELIABILITY_LONG=1 $(UV) run python scripts/reliability_report.py .reliability-results.jsonl docs/RELIABILITY.md

# The spec-driven fuzzing alone, long variant, then only the fuzzing rows of docs/RELIABILITY.md
# updated (the rest of the document keeps the last full `make reliability`).
reliability-fuzz: install
	rm -f .reliability-fuzz-results.jsonl
	RELIABILITY_LONG=1 RELIABILITY_RESULTS=$(CURDIR)/.reliability-fuzz-results.jsonl \
		$(UV) run pytest tests/reliability/test_spec_fuzz.py -q -p no:cacheprovider --timeout=3600
	$(UV) run python scripts/reliability_report.py --fuzz-only .reliability-fuzz-results.jsonl docs/RELIABILITY.md

# Dependency audit: informational, never fails (and says what it could not audit, e.g. offline).
audit: install
	$(UV) run python scripts/audit.py

clean:
	rm -rf .venv .tools .meltano .demo
