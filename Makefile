# Two commands on a fresh machine with Python 3.11+ and make:
#   make demo   - set up .venv, validate and render the worked example into build/
#   make test   - set up .venv, then ruff, mypy and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/hauts_de_chambery

.PHONY: demo test lint typecheck venv clean

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

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
