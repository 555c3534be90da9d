# Two commands for a fresh clone on a fresh machine (Python 3.11, package registries only):
#   make run    set up .venv if needed, then run the pipeline on raw/ with DVC (dvc repro; never trains: the
#               trained models are committed), and say whether reviewed training labels await a retrain
#   make test   set up .venv (and .venv-labelstudio) if needed, lint (ruff, mypy), then run the whole test suite
#   make train  retrain both NER models (~10 min on 2 cores) on the current gold and reviewed labels, then run
#   make check-repro  dvc repro, then fail naming what differs from the committed dvc.lock and metrics/ (CI)
#   make lint   ruff (lint + format) and mypy, configured in pyproject.toml
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha1sum | cut -c1-12)

CHROMIUM ?= /usr/bin/chromium
# Label Studio, pinned, in a virtual environment of its own (its pins never touch .venv)
LS_VENV  := .venv-labelstudio
LS_STAMP := $(LS_VENV)/.installed-$(shell cat requirements-labelstudio.txt scripts/labelstudio.sh | sha1sum | cut -c1-12)

.PHONY: install run train check-repro test lint repro clean-data browser ocr labelstudio

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install ocr
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" dvc repro
	@$(PY) -m pipeline train-status

# Training is a choice (the train stages are frozen in dvc.yaml): docs/ner.md "Training".
train: install ocr
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PY=$(PY) scripts/train.sh

check-repro: install ocr
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PY=$(PY) scripts/check_reproducible.sh

repro: run

# The browser tests drive Debian's chromium (never a downloaded browser).
browser:
	@test -x $(CHROMIUM) || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else echo "error: $(CHROMIUM) missing; install Debian's chromium (sudo apt-get install chromium) for the browser tests" >&2; exit 1; fi; }

# Scanned pages are read by Debian's Tesseract (ingest.ocr in params.yaml; pytesseract calls this binary).
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus
ocr:
	@command -v tesseract >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -q $(OCR_PACKAGES) >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $(OCR_PACKAGES) >/dev/null; }; \
	  else echo "error: tesseract missing; install Debian's Tesseract (sudo apt-get install $(OCR_PACKAGES)) for OCR of scanned PDFs, or set ingest.ocr: false" >&2; exit 1; fi; }

$(LS_STAMP): requirements-labelstudio.txt scripts/labelstudio.sh
	PYTHON=$(PYTHON) scripts/labelstudio.sh install $(LS_VENV)
	rm -f $(LS_VENV)/.installed-* && touch $(LS_STAMP)

labelstudio: $(LS_STAMP)

test: install browser ocr labelstudio lint
	$(PY) -m pytest

# ruff's rules and mypy's options live in pyproject.toml ([tool.ruff], [tool.mypy]).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy pipeline

clean-data:
	rm -rf data outputs metrics logs
