# Leitai: the two commands a fresh machine needs.
#   make demo   creates .venv, plays the example contest on the embedded SQLite store and serves it
#               on 127.0.0.1:5000 (make demo PORT=5050: on another port)
#   make test   creates .venv and runs the whole test suite (PostgreSQL and the browser tests included;
#               Debian's chromium is installed with apt if it is missing), then the quick benchmark
#               (python -m bench --quick: every part, small; fails if a part crashes or hangs)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/leitai --db sqlite:///demo.db demo --fresh $(if $(PORT),--port $(PORT))

test: $(STAMP)
	./tests/install-browser
	./tests/install-fanout
	$(BIN)/lint-imports
	LEITAI_REQUIRE_POSTGRES=1 LEITAI_REQUIRE_BROWSER=1 $(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/python -m bench --quick

# every page, both languages, three screen sizes, as each role sees it, checked for accessibility,
# into docs/screenshots/ (the README shows four of them)
screenshots: $(STAMP)
	./tests/install-browser
	LEITAI_GALLERY=docs/screenshots LEITAI_REQUIRE_BROWSER=1 $(BIN)/pytest -q -p no:cacheprovider tests/e2e/test_web_access.py tests/e2e/test_documents_print.py

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	[ ! -x $(BIN)/python ] || $(BIN)/python -c 'from api.cli.demo import forget_keys; forget_keys("sqlite:///demo.db")'
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo.db.signing-key.pem .pytest_cache
