# One venv, CPU torch first (an unpinned torch would pull a multi-GB CUDA build).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat load install test-deps test test-fast lint bench-index eval-retrieval bench eval clean

# The web app on http://127.0.0.1:7860 (index built first; nothing is downloaded).
run: $(STAMP)
	$(BIN)/python -m corpus build
	$(BIN)/python app.py

# The same assistant as a chat in the terminal.
chat: $(STAMP)
	$(BIN)/python -m corpus build
	$(BIN)/python -m assistant chat

# 20 concurrent browser-like sessions x 5 questions against `python app.py`: p50/p95, cross-talk.
load: $(STAMP)
	$(BIN)/python -m corpus build
	$(BIN)/python -m ui.load --sessions 20 --questions 5

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The tests drive Debian's packages, never downloaded builds: Chromium (browser test), PostgreSQL
# (a throwaway cluster for the replica test) and nginx (the README's reverse proxy). Whichever is
# missing is installed, in one apt-get run.
test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	[ -z "$$missing" ] || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; }

test: $(STAMP) test-deps
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

bench: $(STAMP)
	$(BIN)/python -m assistant bench

.PHONY: bench-cold parity

# Whole-process figures, median of 3: cold asks, peak memory, app start, 1,000-question batch.
bench-cold: $(STAMP)
	$(BIN)/python -m ui.coldstart

# The ONNX query model against sentence-transformers: cosine on every chunk and gold question.
parity: $(STAMP)
	$(BIN)/python -m corpus parity

eval: $(STAMP)
	$(BIN)/python -m eval run

clean:
	rm -rf $(VENV) data reports
