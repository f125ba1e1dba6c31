# Two commands on a fresh clone with only Python 3.11+ and make:
#   make run   – the embedded app on http://127.0.0.1:8000 (PORT overrides)
#   make test  – the whole test suite
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# pytest-xdist workers: one per core here. CI runs its two passes side by side with one each.
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.PHONY: run test test-fast screenshots install lint browser messages

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_espoo_data --demo-logins
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	# Links in the mails printed on the console point at this server unless SITE_URL says otherwise.
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium; install it when missing and we are allowed to.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need /usr/bin/chromium: install Debian's chromium package." >&2; exit 1; fi; }

test: install browser
	$(PYTEST) $(PYTEST_ARGS)

# Everything but the browser tests: no Chromium needed.
test-fast: install
	$(PYTEST) -m "not browser" $(PYTEST_ARGS)

# Rewrites docs/screenshots/ from today's map; `make test` never writes tracked files.
screenshots: install browser
	$(BIN)/python -m pytest tests/browser/screenshots.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	$(BIN)/python manage.py makemessages --all --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'
