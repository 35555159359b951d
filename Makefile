# Chinese economic-text extraction. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RAW    ?= raw
OUT    ?= outputs
WORKERS ?= 1
SHARED ?= ../shared
NER_DATA ?= $(SHARED)/corpora/ner/msra

.DEFAULT_GOAL := help
.PHONY: help extract panel show browser pin test eval baseline bench bench-quantities train-ner eval-ner eval-entities gold-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock requirements-dask.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock -r requirements-dask.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

extract: $(VENV)/.installed ## extract every .txt under RAW (default raw/) into Parquet tables in OUT
	$(PY) -m pipeline extract --input $(RAW) --output $(OUT) --workers $(WORKERS) $(if $(META),--meta $(META))

panel: $(VENV)/.installed ## build OUT/panel.parquet from the tables in OUT (run extract first)
	$(PY) -m pipeline panel --input $(OUT) --output $(OUT)/panel.parquet

show: $(VENV)/.installed ## HTML review page of the tables in OUT (OUT/review.html; run extract first)
	$(PY) -m pipeline show --input $(OUT) --output $(OUT)/review.html

browser: ## headless Chromium for the browser tests (Debian package; skipped with a message when it cannot be installed)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
	    || echo "chromium could not be installed: the browser tests will skip" )

pin: $(VENV)/.installed ## accept the current tables of the reports corpus as the pinned output (on purpose)
	PIN_WRITE=1 $(PY) -m pytest -q tests/test_pin.py

test: $(VENV)/.installed browser ## run the test suite (accuracy ratchet included)
	$(PY) -m pytest

eval: $(VENV)/.installed ## score against the gold files; writes OUT/metrics.json, report.md and report.html, and new cold scores
	$(PY) -m pipeline evaluate --output $(OUT)

eval-entities: $(VENV)/.installed ## entity scores for rules alone, model alone and both
	$(PY) -m pipeline evaluate --entity-mode rules --output $(OUT)/entities-rules
	$(PY) -m pipeline evaluate --entity-mode model --output $(OUT)/entities-model
	$(PY) -m pipeline evaluate --entity-mode both --output $(OUT)/entities-both

baseline: $(VENV)/.installed ## accept the current scores as the committed baseline (on purpose)
	$(PY) -m pipeline evaluate --output $(OUT) --write-baseline

gold-check: $(VENV)/.installed ## validate every gold file
	$(PY) -m pipeline.gold check

bench: $(VENV)/.installed ## all benchmarks side by side, one core: quantities, jieba, spaCy, NER model, whole extraction
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m tools.bench --corpus $(SHARED)/corpora/reports/texts --full --scaling --workers-ratio --memory

bench-quantities: $(VENV)/.installed ## chars/s of quantity extraction beside jieba on the reports corpus
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m tools.bench --corpus $(SHARED)/corpora/reports/texts

train-ner: $(VENV)/.installed ## train the NER model on MSRA (NER_DATA) into pipeline/ner/model (needs torch: .venv/bin/pip install .[train])
	OMP_NUM_THREADS=1 $(PY) -m tools.ner_train --data $(NER_DATA) --out pipeline/ner/model --seed 1

eval-ner: $(VENV)/.installed ## NER scores on MSRA test, the SIGHAN file and CLUENER dev, plus load time and chars/s
	$(PY) -m pipeline.ner.evaluate --corpora $(SHARED)/corpora/ner --speed-repeats 3 --out $(OUT)/ner_metrics.json

clean: ## remove outputs (keeps the committed screenshot)
	find $(OUT) -maxdepth 1 -type f ! -name review-sample.png -delete
