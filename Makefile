# What a person does here. `make run` and `make test` work on a fresh machine with only
# Python 3.11, pip and apt: the first run creates .venv and installs what is missing.

VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
ASSETS := api/web/static/vendor/.assets.json

.PHONY: run test lint typecheck unit bench docs messages lock clean

$(READY): pyproject.toml constraints.txt scripts/bootstrap.sh
	scripts/bootstrap.sh
	touch $@

# The front-end packages the pages serve, checked against the integrity in api/web/assets.json.
$(ASSETS): api/web/assets.json scripts/fetch_assets.py $(READY)
	$(BIN)/python scripts/fetch_assets.py

## run: the service on an embedded SQLite database in ./custody-data, with demo data
## (on another port: make run PORT=8135)
PORT ?= 8000
run: $(READY) $(ASSETS)
	$(BIN)/custody demo --if-empty
	$(BIN)/custody serve --port $(PORT)

## test: lint, type checks and the whole test suite (PostgreSQL at 127.0.0.1:5432 too)
test: lint typecheck unit

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(READY)
	$(BIN)/mypy

unit: $(READY) $(ASSETS)
	$(BIN)/pytest -n 2 --dist loadfile --durations=30

## bench: the benchmarks, each against a baseline measured in the same run
bench: $(READY) $(ASSETS)
	@command -v wrk >/dev/null || SYSTEM_PACKAGES=wrk scripts/bootstrap.sh
	$(BIN)/python -m bench

## docs: redraw the process diagrams in docs/process.md from the machines
docs: $(READY)
	$(BIN)/python -m workflows.diagrams docs/process.md

## messages: extract the web pages' texts and merge them into the ru, kk and en catalogues
messages: $(READY)
	$(BIN)/pybabel extract -F api/web/babel.cfg -k N_ -k gettext --no-location --sort-output \
		--omit-header -o api/web/locale/messages.pot .
	$(BIN)/pybabel update -i api/web/locale/messages.pot -d api/web/locale --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel compile -d api/web/locale --statistics

## lock: pin the versions the project installs to what .venv has now
lock: $(READY)
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
