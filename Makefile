# Seamless Hall. `make run` and `make test` are the two commands; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1
# The targets below run the hall in development mode (a per-checkout SECRET_KEY in var/, the
# local public URL); a production deployment does not use make and must set both (README).
export HALL_DEVELOPMENT ?= 1

.PHONY: install run test lint imports house format migrations-check deploy-check pytest pytest-dates bench drill drill-short drill-restore drill-restore-short lock messages browser clean

install: $(VENV)/.installed node_modules/.installed messages

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# English translations are compiled at install time; Chinese is the source language.
messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

browser:
	@bash .ci/ensure-chromium

# In development the SMS go to a file (issue 32: the console masks codes, so registration, the
# lookup by ID and an appeal could not be tried); a deployment names its gateway.
run: export HALL_SMS_BACKEND ?= hall.platform.messaging.FileSmsBackend
run: install
	@$(PY) manage.py hall_backends
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "Seamless Hall: http://$${HALL_BIND:-127.0.0.1:8000}/  (Ctrl-C stops web, worker and beat)"
	@echo "SMS (codes included) are written to $${HALL_SMS_FILE:-$${HALL_VAR_DIR:-var}/sms.jsonl}"
	$(VENV)/bin/honcho -f Procfile start

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The layer rule of README "Architecture", as an import-linter contract in pyproject.toml.
imports: $(VENV)/.installed
	$(VENV)/bin/lint-imports --no-cache

# The house rules no import contract can say (tests/house/rules.py): each with tests of its own.
house: $(VENV)/.installed
	$(VENV)/bin/pytest -q -p no:randomly -p no:cacheprovider tests/house

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# `check --deploy` on the production settings: no development switch, a real-length key, HTTPS.
deploy-check: $(VENV)/.installed
	test -f var/deploy-seal/cert.pem || $(PY) -m hall.platform.seal var/deploy-seal
	env -u HALL_DEVELOPMENT -u DEBUG DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  HALL_PUBLIC_URL=https://hall.example.gov.cn HALL_HTTPS=1 \
	  HALL_LICENCE_SEAL_CERT=var/deploy-seal/cert.pem HALL_LICENCE_SEAL_KEY=var/deploy-seal/key.pem \
	  HALL_DATA_KEYS="deploy1:$$($(PY) -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')" \
	  HALL_DATA_LOOKUP_KEY="$$($(PY) -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')" \
	  $(PY) manage.py check --deploy --fail-level WARNING

pytest: install browser
	@$(PY) manage.py hall_backends
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The date-sensitive tests again as if today were each of four fixed dates (README, "Tests and
# dates"): a year end into a year without the State Council's notice, that year's Spring
# Festival and National Day weeks, and two years ahead. The whole suite runs at the real date.
TEST_DATES := 2026-12-28 2027-02-08 2027-10-04 2028-12-06
DATED_TESTS := tests/approvals/clock tests/approvals/reviews tests/approvals/admin \
	tests/approvals/desk tests/hall/intake tests/departments
pytest-dates: install
	@for day in $(TEST_DATES); do \
	  echo "== the date-sensitive tests as if today were $$day"; \
	  HALL_TEST_TODAY=$$day $(VENV)/bin/pytest -p no:cacheprovider $(DATED_TESTS) || exit 1; \
	done

test: install lint imports house migrations-check deploy-check drill-short drill-restore-short pytest pytest-dates

# The scale-out drill (issue 18): nginx, two gunicorn nodes, PgBouncer, a streaming replica, two
# worker hosts and a standby beat on this machine, under load and faults; see README.md.
drill: install
	$(PY) -m bench.drill

# Its short form, in `make test`: PgBouncer's transaction mode and the replica router.
drill-short: install
	$(PY) -m bench.drill --short

# The backup and restore drill (issue 29): a base backup and archived WAL of a hall under load,
# restored to a point in time in a new cluster and checked; its short form is in `make test`.
drill-restore: install
	$(PY) -m bench.drill.restore

drill-restore-short: install
	$(PY) -m bench.drill.restore --short

# Benchmarks (issue 8): its own database hall_bench and Redis database 14; see README.md.
bench: install $(VENV)/.bench-installed
	$(PY) -m bench.run

$(VENV)/.bench-installed: requirements-bench.lock $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-bench.lock
	touch $@

# Regenerate requirements.lock from pyproject.toml in a throwaway environment.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip
	var/lock-venv/bin/pip install --quiet ".[dev]"
	var/lock-venv/bin/pip freeze --exclude-editable | grep -v '^seamless-hall' > requirements.lock
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) node_modules var
