# Portvakt. `make run` starts the product with demo data; `make test` runs the whole suite.
VENV := .venv
export FLASK_APP := wsgi

.PHONY: run test torture bench clean

# Compiled translation catalogues are built, not committed: the .po files are the source.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/*.po))
%.mo: %.po $(VENV)/.runtime
	$(VENV)/bin/pybabel compile -i $< -o $@

$(VENV)/.runtime: requirements.txt scripts/setup.sh
	scripts/setup.sh requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt scripts/setup.sh
	scripts/setup.sh requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime $(MO_FILES)
	scripts/run.sh

test: $(VENV)/.dev $(MO_FILES)
	scripts/test.sh

# The long fault and abuse suite (docs/reliability.md): >= 10,000 fuzzed inputs, >= 20 kill -9 runs.
torture: $(VENV)/.dev $(MO_FILES)
	PORTVAKT_TORTURE=1 scripts/test.sh tests/reliability

# Every benchmark under bench/ (bench/README.md); figures go to bench/results.json.
bench: $(VENV)/.dev $(MO_FILES)
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
