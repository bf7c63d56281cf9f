# The README's two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# `make run` honours the service's own variables too (STORYLINE_DATA_DIR, STORYLINE_LOAD_SEEDS).
DATA_DIR ?= $(or $(STORYLINE_DATA_DIR),./data)
# STORYLINE_LOAD_SEEDS, when set, is read by the service itself.
SEEDS := $(if $(STORYLINE_LOAD_SEEDS),,--seeds)
# Where PyPI's torch wheel would bring CUDA packages (hosts without a local CPU wheel), e.g.
# `make run TORCH_INDEX=https://download.pytorch.org/whl/cpu`.
TORCH_INDEX ?=
SHARED ?= ../shared/data

.PHONY: install run test lint format bench bench-smoke eval eval-duplicates eval-stories eval-quotes clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU PyTorch first: later requirements are satisfied by it instead of pulling CUDA builds.
	$(PY) -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m service serve $(SEEDS) --data-dir $(DATA_DIR)

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

eval: eval-duplicates eval-stories eval-quotes

eval-duplicates: install
	$(PY) -m service eval duplicates --pairs $(SHARED)/labels/snn_pairs.csv --corpus $(SHARED)/saudinewsnet

eval-stories: install
	$(PY) -m service eval stories --labels $(SHARED)/labels/snn_stories.csv --corpus $(SHARED)/saudinewsnet

eval-quotes: install
	$(PY) -m service eval quotes --corpus $(SHARED)/saudinewsnet

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
