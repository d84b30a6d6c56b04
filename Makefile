# `make run` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test lint bench eval clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev]"
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

clean:
	rm -rf data .pytest_cache
