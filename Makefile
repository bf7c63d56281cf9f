# The README's two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DATA_DIR ?= ./data
SHARED ?= ../shared/data

.PHONY: install run test lint format bench bench-smoke eval eval-duplicates eval-stories clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU PyTorch first: later requirements are satisfied by it instead of pulling CUDA builds.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m service serve --seeds --data-dir $(DATA_DIR)

test: install
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check service tests
	$(PY) -m ruff format --check service tests
	$(PY) -m mypy

format: install
	$(PY) -m ruff format service tests
	$(PY) -m ruff check --fix service tests

bench: install
	$(PY) -m service bench --corpus $(SHARED)/saudinewsnet --output BENCHMARKS.md

bench-smoke: install
	$(PY) -m service bench --smoke --corpus $(SHARED)/saudinewsnet --output /tmp/storyline-bench-smoke.md

eval: eval-duplicates eval-stories

eval-duplicates: install
	$(PY) -m service eval duplicates --pairs $(SHARED)/labels/snn_pairs.csv --corpus $(SHARED)/saudinewsnet

eval-stories: install
	$(PY) -m service eval stories --labels $(SHARED)/labels/snn_stories.csv --corpus $(SHARED)/saudinewsnet

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
