PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench mutants lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,data,plot]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m parity

test: $(STAMP)
	$(BIN)/python -m pytest -q
	# the benchmark files once as plain tests, so they cannot rot
	$(BIN)/python -m pytest -q -o addopts="" --benchmark-disable benchmarks

bench: $(STAMP)
	$(BIN)/python -m pytest --benchmark-only -q benchmarks --benchmark-json=bench-results.json \
		--benchmark-columns=mean,stddev,rounds
	$(BIN)/python -m benchmarks.summary bench-results.json

# development tooling, from a checkout: the catalogue of classic mistakes (and, with
# MUTANTS_ARGS=--generic, the AST mutation score)
mutants: $(STAMP)
	$(BIN)/python -m tools.mutants $(MUTANTS_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
