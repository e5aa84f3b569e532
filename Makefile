# Portvakt. `make run` starts the product with demo data; `make test` runs the whole suite.
VENV := .venv
export FLASK_APP := wsgi

.PHONY: run test torture bench clean

$(VENV)/.runtime: requirements.txt scripts/setup.sh
	scripts/setup.sh requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt scripts/setup.sh
	scripts/setup.sh requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	scripts/run.sh

test: $(VENV)/.dev
	scripts/test.sh

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
