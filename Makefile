# Aftercare: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
TEST_WORKERS ?= auto
FLASK  := $(BIN)/flask --app app

.PHONY: run test bench lighthouse lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Aftercare needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python -m app.bootstrap
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo
	@echo "Aftercare is running at http://127.0.0.1:$(PORT) with its jobs process (Ctrl-C stops both)"
	@echo
	$(BIN)/python -m app.launch --port $(PORT)

# Two passes: most tests (the browser tests too) on every core (pytest-xdist, a database, port
# and browser of each worker's own; an idle worker takes tests queued for a busy one), then the
# few fault and deadline tests one at a time, since their timings are part of what they test
# (SERIAL in tests/conftest.py). A pass that PYTEST_ARGS leaves with nothing to run (pytest's
# exit 5) is not a failure.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial" $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.lighthouse

# The patient pages' Lighthouse mobile scores (also the last step of `make bench`); needs npm.
lighthouse: $(VENV)/.installed-test
	$(BIN)/python -m bench.lighthouse

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
