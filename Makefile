# One venv, CPU torch first (an unpinned torch would pull a multi-GB CUDA build).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install test test-fast lint bench-index eval-retrieval clean

# Until the chat UI exists, `make run` opens the interactive search over the review.
run: $(STAMP)
	$(BIN)/python -m corpus shell

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not server and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench-index: $(STAMP)
	$(BIN)/python -m corpus bench

eval-retrieval: $(STAMP)
	$(BIN)/python -m corpus evaluate

clean:
	rm -rf $(VENV) data reports
