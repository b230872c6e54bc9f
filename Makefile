# `make run`: set up and serve the portal.  `make test`: set up and run every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PORT ?= 8000
export DEBUG ?= true
export DJANGO_SETTINGS_MODULE := mae_portal.settings

.PHONY: run test install migrate demo lint stop-db worker

# A development .env (DEBUG=true) so `.venv/bin/python manage.py ...` works outside make too.
# Real environment variables always win over it; production sets DEBUG=false and its secrets.
.env:
	cp .env.example .env

$(VENV)/.installed: requirements.txt requirements-dev.txt | .env
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Without a broker tasks run inline, so there is no beat either: the outbox sweep runs in the background
# next to runserver (and stops with it), sending emails whose inline send failed or was cut short.
run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	@$(PY) manage.py sweep_outbox --every 60 & sweeper=$$!; \
	trap 'kill $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# ruff, then the import contract in pyproject.toml (the core imports no app; apps meet through public modules).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# One development worker for every queue (needs CELERY_BROKER_URL); production runs one worker for
# `email` and one for `celery,documents` (docker-compose.yml), plus beat for the schedule and the sweep.
worker: install
	@mkdir -p .local
	$(VENV)/bin/celery -A mae_portal worker -l info -Q celery,email,documents -B --schedule .local/celerybeat-schedule

stop-db: install
	$(PY) -m mae_portal.devdb stop
