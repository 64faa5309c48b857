# Impact evaluation pipeline. `make` alone lists the targets.
# Every target creates .venv from the pinned lock when it is missing or older than the lock.
# requirements.lock pins the run's dependencies and every extra (test, lint, lab, bench) in one
# resolution; `make install` installs only what a run needs, the other targets add their extra,
# all at the locked versions (the lock is a constraint file for the package's own install).

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
	$(VENV)/bin/uv pip install --python $(PY) --quiet --constraint $(LOCK) -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

# an extra of pyproject.toml (test, lint, lab, bench) on top of the run's environment
$(VENV)/.installed-%: $(STAMP)
	$(VENV)/bin/uv pip install --python $(PY) --quiet --constraint $(LOCK) -e ".[$*]"
	@touch $@

install: $(STAMP)  ## create .venv with what a run needs (pinned by the lock) and the package

data: $(STAMP)  ## validate data/raw and build data/processed
	$(VENV)/bin/evaluation prepare

report: data  ## build processed data, run every notebook, write reports/ (final report as HTML, PDF, DOCX)
	$(VENV)/bin/evaluation run

test: $(VENV)/.installed-test  ## run the whole test suite (what CI runs)
	$(PY) -m pytest

lint: $(VENV)/.installed-lint  ## ruff on the package, tests, notebooks and benchmarks
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/ruff format --check src tests notebooks benchmarks

lab: $(VENV)/.installed-lab  ## JupyterLab on the notebooks (jupytext opens the .py files as notebooks)
	$(VENV)/bin/jupyter lab notebooks

bench: $(VENV)/.installed-bench  ## side-by-side benchmarks against peer libraries (own environment)
	$(MAKE) -C benchmarks

lock:  ## re-resolve requirements.lock from pyproject.toml with every extra (maintainers only)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --python-version 3.11 --no-header --no-annotate -o $(LOCK)

clean:  ## remove build output (keeps data/raw and .venv)
	rm -rf data/processed/* reports/* .pytest_cache

.PHONY: help install data report test lint lab bench lock clean
