# Ladder: `make run` serves the app, `make test` runs the whole suite on SQLite and PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# Python 3.13 as pinned in .python-version: pyenv when present, else python3.13 on PATH.
BASE_PYTHON ?= $(shell (command -v pyenv >/dev/null && pyenv which python 2>/dev/null) || command -v python3.13 || command -v python3)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test test-sqlite test-postgres lint format seed migrate bench loadtest accuracy cluster chromium postgres-binaries clean

help:
	@echo "make run    - install, migrate, load the seed handbook and postings, serve http://127.0.0.1:$(PORT)"
	@echo "make test   - install test tools and run the suite on SQLite and on a throwaway PostgreSQL"
	@echo "make bench  - print the benchmark figures"
	@echo "make accuracy - importer and posting-matching accuracy on the hand-read answer keys (saved to bench/results/)"
	@echo "make cluster - run PostgreSQL, Redis, nginx and two app nodes on loopback and check them"
	@echo "make lint   - ruff check and format check"

$(VENV)/.installed: pyproject.toml
	@v=$$($(BASE_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  if [ "$$v" != "$$(cut -d. -f1,2 .python-version)" ]; then \
	    echo "Ladder needs Python $$(cat .python-version) (found $$v at $(BASE_PYTHON))"; exit 1; fi
	test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

migrate: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py import_handbook fixtures/handbook
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py import_postings fixtures/postings

# A local, git-ignored .env (debug on, a generated key) that settings read, so every manage.py
# command of the README works as written. Written once; delete it to get a new key.
.env:
	@printf '# Written by make run for local development; git-ignored. Production sets real\n# environment variables instead (DJANGO_DEBUG off needs DJANGO_SECRET_KEY).\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' \
	  "$$($(BASE_PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote $@ (local development settings)"

# The task worker (imports uploaded in the admin run there) starts beside the server and stops
# with it.
run: .env seed
	@echo
	@echo "Ladder is starting on http://127.0.0.1:$(PORT)"
	@echo "To edit the ladder in the admin, create an account: $(PY) manage.py createsuperuser"
	@echo
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

postgres-binaries:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: $(VENV)/.installed chromium
	@echo "=== Test suite on SQLite ==="
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed chromium postgres-binaries
	@echo "=== Test suite on PostgreSQL (throwaway cluster) ==="
	$(PY) tests/pgcluster.py -- $(VENV)/bin/pytest $(PYTEST_ARGS)

# Both runs always execute, side by side (each is one process: two cores, half the wall time);
# their lines are prefixed with the database; the target fails if either failed.
test: lint $(VENV)/.installed chromium postgres-binaries
	$(PY) manage.py makemigrations --check --dry-run --settings=tests.settings
	@set -o pipefail; \
	  ( $(MAKE) --no-print-directory test-sqlite 2>&1 | sed -u 's/^/[sqlite] /' ) & sqlite_pid=$$!; \
	  ( $(MAKE) --no-print-directory test-postgres 2>&1 | sed -u 's/^/[postgres] /' ) & postgres_pid=$$!; \
	  sqlite=0; postgres=0; wait $$sqlite_pid || sqlite=$$?; wait $$postgres_pid || postgres=$$?; \
	  echo "=== SQLite: $$([ $$sqlite = 0 ] && echo passed || echo FAILED) · PostgreSQL: $$([ $$postgres = 0 ] && echo passed || echo FAILED) ==="; \
	  [ $$sqlite = 0 ] && [ $$postgres = 0 ]

# Importer accuracy against tests/data/answer_key/ (a ratchet: tests fail below the saved figures).
accuracy: $(VENV)/.installed
	$(PY) bench/accuracy.py --save
	$(PY) bench/accuracy_matching.py --save

bench: $(VENV)/.installed postgres-binaries
	$(PY) bench/run.py --save --postgres

loadtest: $(VENV)/.installed postgres-binaries
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) bench/loadtest.py

# A company's deployment on loopback (PostgreSQL, Redis, nginx, two app nodes, a task worker)
# and its four checks; figures go to bench/results/<date>-cluster.txt.
cluster: $(VENV)/.installed postgres-binaries
	@command -v redis-server >/dev/null && command -v wrk >/dev/null && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server nginx-light wrk; }
	$(PY) bench/cluster.py

clean:
	rm -rf $(VENV) .env db.sqlite3* staticfiles tests/artifacts .pytest_cache .ruff_cache
