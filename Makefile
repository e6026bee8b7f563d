# Two commands do everything on a fresh machine:
#   make run   - set up, migrate a SQLite database, add demo data, serve http://127.0.0.1:5000
#   make test  - set up, lint, and run every test (SQLite, plus PostgreSQL when reachable / in CI)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL for the tests; CI always uses it, elsewhere its tests skip if nothing answers here.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run serve test lint format lock migrate seed browser-deps

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

migrate: setup
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/flask --app wsgi seed-demo

run: seed
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# Production: ENV=production, SECRET_KEY and DATABASE_URL (PostgreSQL) come from the environment.
serve: migrate
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's Chromium for the browser tests (tests/browser): Playwright drives it and downloads nothing.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: lint browser-deps
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: setup
	( echo "# Exact versions CI tested, used as pip constraints by 'make' (regenerate with 'make lock')."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^-e' ) > requirements.lock
