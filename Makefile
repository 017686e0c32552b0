# Two commands on a fresh machine with Python 3.11+ and make:
#   make demo   - set up .venv, validate and render the worked example into build/
#   make test   - set up .venv, then ruff, mypy and pytest
#   make bench  - performance figures against pandoc (docs/performance.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/hauts_de_chambery

.PHONY: demo test lint typecheck venv clean bench

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: venv
	$(BIN)/civicrecord validate $(EXAMPLE)
	$(BIN)/civicrecord render $(EXAMPLE) -o build

lint: venv
	$(BIN)/ruff check src tests

typecheck: venv
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# pandoc is what the figures are compared with: installed with apt-get where missing.
bench: venv
	@command -v pandoc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq pandoc; \
	  else echo "pandoc not found and cannot install it (not root or no apt-get):" \
	    "its columns stay empty" >&2; fi; }
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
