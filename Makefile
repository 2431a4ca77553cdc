# gpuadvisor — developer tasks. `make run` installs and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.gpuadvisor-installed

.PHONY: install run test test-pythons lint bench fuzz validate clean refresh-prices

# A venv with the package (editable) and the test/lint tools. CI makes its own venv with a
# non-editable install and its own stamp, so `make test VENV=...` reuses it as it is.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/gpuadvisor recommend --vram 70 --workload llm
	$(BIN)/gpuadvisor translate modal runpod "A100:4"

test: $(STAMP)
	$(BIN)/python -m pytest

# The suite on every supported Python (requires-python >= 3.11) found on this machine, each in its
# own venv (.venv-3.X, non-editable with the test extra); a missing one is said and skipped.
# PYTEST_ARGS narrows the run, e.g. `make test-pythons PYTEST_ARGS="-x tests/test_loader.py"`.
# Not part of CI's run (.ci/run tests one Python); about one suite's time per Python.
PYTHONS ?= 3.11 3.12 3.13
test-pythons:
	@set -e; for v in $(PYTHONS); do \
	  py=$$(command -v python$$v || true); \
	  if [ -z "$$py" ] || ! $$py -c "" 2>/dev/null; then \
	    py=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null | sort -V | tail -1); fi; \
	  if [ -z "$$py" ] || ! $$py -c "" 2>/dev/null; then echo "test-pythons: python$$v not found, skipped"; continue; fi; \
	  echo "== python$$v ($$py)"; \
	  [ -x .venv-$$v/bin/python ] || $$py -m venv .venv-$$v; \
	  .venv-$$v/bin/python -m pip install -q --upgrade pip; \
	  .venv-$$v/bin/python -m pip install -q ".[test]"; \
	  .venv-$$v/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); \
	done

# Maintainers: fetch every provider's current prices from its published source and rewrite the
# built-in catalogs' price values (comments kept; changes beyond ±60% held back). Needs the network.
# ARGS passes options, e.g. `make refresh-prices ARGS="runpod --accept-changes"`.
refresh-prices: $(STAMP)
	$(BIN)/python tools/refresh_prices.py $(ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check gpuadvisor tests bench
	$(BIN)/python -m mypy

# The benchmark measures a non-editable install, as users get it (bytecode compiled at install;
# an editable checkout under PYTHONDONTWRITEBYTECODE would recompile every module on each start).
BENCH_VENV := .bench-venv
bench:
	rm -rf $(BENCH_VENV)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q .
	$(BENCH_VENV)/bin/python bench/bench.py --scale

clean:
	rm -rf $(VENV) .ci-venv .bench-venv .venv-3.* dist build .pytest_cache .ruff_cache

# Fuzzing at the reliability audit's scale (>= 5,000 command lines, >= 2,000 specs per provider,
# processes, SIGINTs, hostile catalog files with a 2 s bound each); prints the figures.
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py

# The performance model against published measurements (bench/validation/cases.toml): predicted ÷
# published per case, median and spread per regime, GPU-order agreement; calibration and held-out apart.
validate: $(STAMP)
	$(BIN)/python bench/validate.py
