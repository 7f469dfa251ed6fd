# Two commands for a newcomer:  `make run`  and  `make test`.
# Both create .venv/ (once), install mybnpl with every dependency, then launch the app or run all tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint translations clean-venv

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mybnpl

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/mypy

lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/mypy

# Re-extract messages and recompile catalogs after changing user-facing strings.
translations: $(STAMP)
	$(VENV)/bin/python tools/i18n.py

clean-venv:
	rm -rf $(VENV)
