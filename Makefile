# Cửa Hàng: everything starts from a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-customers bench-import bench-mail catalogs messages e2e clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

run: catalogs
	$(FLASK) db upgrade
	CUAHANG_PUBLIC_URL=$${CUAHANG_PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(FLASK) demo
	PORT=$(PORT) $(FLASK) serve

test: catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Browser tests in Debian's Chromium (apt-get install chromium); screenshots in tests/e2e/artifacts/.
e2e: catalogs
	CUAHANG_E2E=1 $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/storefront.py

# The customer list's queries over 1,000,000 customers on PostgreSQL (BENCH_DATABASE_URL,
# default postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench, created when missing).
bench-customers: $(STAMP)
	$(BIN)/python bench/customer_search.py $(BENCH_ARGS)

# The customer import and export of a 100,000-row file against the bare reader and writer,
# on SQLite and PostgreSQL (BENCH_DATABASE_URL, default
# postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_import, created when missing).
bench-import: $(STAMP)
	$(BIN)/python bench/import_export.py $(BENCH_ARGS)

# 10,000 emails to a local aiosmtpd (STARTTLS and a login): the outbox's delivery against one
# SMTP connection per message. The outbox in PostgreSQL (BENCH_DATABASE_URL, default
# postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_mail, created when missing);
# BENCH_ARGS="--sqlite" for a SQLite file, "--plain" adds a server without TLS and login.
bench-mail: $(STAMP)
	$(BIN)/python bench/mail.py $(BENCH_ARGS)

# Refresh the message catalogs after changing user-visible strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
