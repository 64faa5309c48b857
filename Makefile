# Impact evaluation pipeline. `make` alone lists the targets.
# Every target creates .venv from the pinned lock when it is missing or older than the lock.

PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
LOCK       := requirements.lock

.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON_SYS) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --python $(PY) --quiet -r $(LOCK)
	$(VENV)/bin/uv pip install --python $(PY) --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned lock and the package

data: $(STAMP)  ## validate data/raw and build data/processed
	$(VENV)/bin/evaluation prepare

report: data  ## build processed data, run every notebook, write reports/ (PDFs need chromium)
	$(VENV)/bin/evaluation run

test: $(STAMP)  ## run the whole test suite (what CI runs)
	$(PY) -m pytest

lint: $(STAMP)  ## ruff on the package, tests, notebooks and benchmarks
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/ruff format --check src tests notebooks benchmarks

lab: $(STAMP)  ## JupyterLab on the notebooks (jupytext opens the .py files as notebooks)
	$(VENV)/bin/jupyter lab notebooks

bench: $(STAMP)  ## side-by-side benchmarks against peer libraries (own environment)
	$(MAKE) -C benchmarks

lock:  ## re-resolve requirements.lock from pyproject.toml (maintainers only)
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --no-header --no-annotate -o $(LOCK)

clean:  ## remove build output (keeps data/raw and .venv)
	rm -rf data/processed/* reports/* .pytest_cache

.PHONY: help install data report test lint lab bench lock clean
