# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point to the address the server is served on.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test bench lint format messages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The server, with the scheduler (periodic jobs, e-mail retries) beside it, stopped with it.
run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true SITE_URL=$(SITE_URL) $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py demo_logins
	DEBUG=true SITE_URL=$(SITE_URL) $(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	DEBUG=true SITE_URL=$(SITE_URL) $(VENV)/bin/uvicorn bourse.asgi:application --host $(HOST) --port $(PORT)

test: $(STAMP)
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# All of them one after another, or some: make bench BENCH="http_load soak"
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	DEBUG=true $(PY) manage.py makemessages -d djangojs -l en --ignore=.venv --ignore=staticfiles
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
