# leaktrace: `make demo` sets everything up and runs the demo; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_HOME ?= .leaktrace
DEMO_OUT  ?= demo-out

.PHONY: demo test fuzz lint lint-imports bench bench-quick bench-speed bench-documents clean

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

test: $(VENV)/.installed-test lint lint-imports
	$(BIN)/python -m pytest -q

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
