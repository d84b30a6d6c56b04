# `make run` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Versions of a working install (see its header; `make lock` regenerates it).
CONSTRAINTS := constraints.txt
# Where `make st` finds torch's CPU build (PyPI's default torch wheel carries CUDA, ~4 GB more).
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test lint bench eval st lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/paperbot ingest
	@if $(PY) -c "import sys; from store.settings import Settings; sys.exit(0 if Settings().discord_token else 1)"; then \
		$(VENV)/bin/paperbot run; \
	else \
		$(VENV)/bin/paperbot today; \
		echo; echo '$$ paperbot ask "오디오, 음악, 음성을 만드는 오픈소스 툴킷"'; \
		$(VENV)/bin/paperbot ask "오디오, 음악, 음성을 만드는 오픈소스 툴킷" -k 3; \
		echo; echo "DISCORD_TOKEN is not set, so the bot was not started."; \
		echo "Put DISCORD_TOKEN=... in .env (see README, 'Connect Discord') and run 'make run' again."; \
	fi

test: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -q

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed
	$(VENV)/bin/paperbot bench

# Optional: sentence-transformers models (PAPERBOT_EMBEDDER=minilm or a model name), with the
# CPU build of torch. Not needed by the default embedder.
st: $(VENV)/.installed
	$(PIP) install --quiet -c $(CONSTRAINTS) $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[st]"

# Rewrites constraints.txt from a fresh install of every extra.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[dev,st]"
	sed -n '1,/^# (https/p' $(CONSTRAINTS) > .lock-venv/header
	.lock-venv/bin/python -m pip freeze --exclude-editable | sed -E 's/^(torch==[0-9.]+)\+cpu$$/\1/' \
		| cat .lock-venv/header - > $(CONSTRAINTS)
	rm -rf .lock-venv

clean:
	rm -rf data .pytest_cache
