# leaktrace: `make demo` sets everything up and runs the demo; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_HOME ?= .leaktrace
DEMO_OUT  ?= demo-out

.PHONY: demo test test-postgres fuzz lint lint-imports bench bench-quick bench-speed bench-documents clean

$(BIN)/python:
	@echo "leaktrace: creating the virtual environment $(VENV) with $(PYTHON) (first run only)…"
	$(PYTHON) -m venv $(VENV)
	@echo "leaktrace: upgrading pip in $(VENV)…"
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "leaktrace: installing leaktrace and its Python packages into $(VENV) (first run, or after pyproject.toml changed; ~1 min)…"
	$(BIN)/python -m pip install --quiet -e '.[report]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@echo "leaktrace: installing the test tools into $(VENV) (first run, or after pyproject.toml changed; ~1 min)…"
	$(BIN)/python -m pip install --quiet -e '.[test,report]'
	touch $@

demo: $(VENV)/.installed
	@echo "leaktrace: running the demo (workspace $(DEMO_HOME), copies and leaks in $(DEMO_OUT); about 1 min)…"
	$(BIN)/leaktrace demo --home $(DEMO_HOME) --out $(DEMO_OUT)

lint-imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

# In CI (CI=true) the tests run in one process, in order, and those that use a store run a second time on
# PostgreSQL (test-postgres). Elsewhere they run on every core, up to 4 (pytest-xdist; a file's tests stay
# together in one process, in order): PYTEST_JOBS= runs them in one process.
PYTEST_JOBS ?= $(if $(filter true,$(CI)),,-n auto --maxprocesses=4 --dist loadfile)
test: $(VENV)/.installed-test lint lint-imports
	$(BIN)/python -m pytest -q $(PYTEST_JOBS)
	@if [ "$$CI" = true ]; then $(MAKE) --no-print-directory test-postgres; fi

# The tests that use a store, on PostgreSQL: a throwaway cluster the tests start themselves (tests/_postgres.py:
# Debian's postgresql, initdb in a temporary folder, pg_ctl on a Unix socket there, no system service), each
# workspace and store in a database of its own. Needs initdb and pg_ctl on the PATH (.ci/run installs them).
PG_TESTS ?= tests/store tests/services tests/cli tests/web tests/test_adversary.py tests/test_docs.py tests/test_json_contract.py \
	tests/test_secrets.py tests/test_hostile_corpus.py tests/test_pixel_limit.py tests/fuzz/test_trace_entry.py \
	tests/documents/test_hostile.py::test_the_workspace_refuses_hostile_pdfs_and_stores_nothing
test-postgres: $(VENV)/.installed-test
	LEAKTRACE_TEST_STORE=postgresql $(BIN)/python -m pytest -q $(PG_TESTS)

# The fuzz tests (tests/fuzz: the image decoder and the trace entry; the REST API against its OpenAPI schema)
# with a big budget; `make test` runs them briefly.
fuzz: $(VENV)/.installed-test
	LEAKTRACE_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz tests/web/test_openapi_fuzz.py --hypothesis-show-statistics

$(VENV)/.installed-bench: bench/requirements.txt bench/requirements-peers.txt $(VENV)/.installed
	@echo "leaktrace: installing the benchmark's peers into $(VENV) (first run only, a few minutes)…"
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r bench/requirements-peers.txt
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && [ ! -d /usr/share/backgrounds/gnome ]; then \
		(apt-get update -qq && apt-get install -y -qq gnome-backgrounds) || echo "gnome-backgrounds not installed: bench runs without its wallpapers"; fi
	touch $@

# What a user waits for (share and trace through the CLI) against issue 16's targets: bench/results/speed.md
bench-speed: $(VENV)/.installed-bench
	$(BIN)/python bench/speed.py

# The tender package shared to 16 recipients, its pages leaked (renders, crop, JPEG, print-and-scan, phone, Ghostscript) and traced:
# bench/results/documents.md and documents.json
bench-documents: $(VENV)/.installed-bench
	$(BIN)/python bench/documents.py

bench: $(VENV)/.installed-bench bench-speed bench-documents
	$(BIN)/python bench/run.py

bench-quick: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --quick --out bench/results

clean:
	rm -rf $(VENV) $(DEMO_OUT) build dist src/*.egg-info
