# Two commands on a fresh machine with Python 3.11+ and make:
#   make demo   - set up .venv, validate and render the worked example into build/
#   make test   - set up .venv, then ruff, mypy and pytest
#   make bench  - performance figures against pandoc (docs/performance.md)
#   make docs   - build the documentation site into build/site (warnings are errors)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/hauts_de_chambery
# Renderer plugins shipped as separate distributions (docs/plugins.md).
PLUGINS := $(wildcard plugins/civicrecord-*)

.PHONY: demo test lint typecheck venv clean bench plugins docs

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Installed like any third-party plugin, through their entry points; editable so
# that their tests run against the working tree.
plugins: $(VENV)/.plugins-installed

$(VENV)/.plugins-installed: $(VENV)/.installed $(addsuffix /pyproject.toml,$(PLUGINS))
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(PLUGINS))
	touch $@

demo: venv plugins
	$(BIN)/civicrecord validate $(EXAMPLE)
	$(BIN)/civicrecord render $(EXAMPLE) -o build
	$(BIN)/civicrecord formats

lint: venv
	$(BIN)/ruff check src tests plugins benchmarks

typecheck: venv plugins
	$(BIN)/mypy
	$(BIN)/mypy benchmarks
	$(BIN)/mypy --strict $(addsuffix /src,$(PLUGINS))

test: lint typecheck docs
	$(BIN)/pytest
	$(BIN)/pytest $(addsuffix /tests,$(PLUGINS))

# The data-format page is generated from the model: stale, it fails the build.
docs: venv
	$(BIN)/python docs/gen_data_format.py --check
	$(BIN)/mkdocs build --strict -d build/site

# pandoc is what the figures are compared with: installed with apt-get where missing.
bench: venv
	@command -v pandoc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq pandoc; \
	  else echo "pandoc not found and cannot install it (not root or no apt-get):" \
	    "its columns stay empty" >&2; fi; }
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf build dist test-artefacts .pytest_cache .mypy_cache .ruff_cache
