# The commands the README names. `make run` brings everything up; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CMS_PORT ?= 8000
PORTAL_PORT ?= 8001
export CMS_BASE_URL ?= http://127.0.0.1:$(CMS_PORT)
export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORTAL_PORT)

.PHONY: install lock setup run portal test test-sqlite test-postgres lint format messages bench \
	screenshots

# Installs exactly what requirements/test.lock pins, each file checked against its hash, then
# the project itself (no dependencies of its own). `make lock` refreshes the locks after a change
# to pyproject.toml's dependencies; production installs requirements/production.lock
# (docs/deploy.md).
LOCKS := requirements/production.lock requirements/test.lock
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

$(VENV)/.installed: pyproject.toml requirements/test.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/test.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

lock: install
	$(PY) -m pip install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements/production.lock pyproject.toml
	$(PIP_COMPILE) --extra test --output-file requirements/test.lock pyproject.toml

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_seed_policy
	$(PY) manage.py load_demo_notices
	$(PY) manage.py load_demo_consultation
	$(PY) manage.py load_demo_lessons
	$(PY) manage.py load_demo_site_identity
	$(PY) manage.py ensure_admin

# The CMS, the resident portal builder (the workers' rebuilds are handed to it: a publication
# is live in about a second), two task workers (portal rebuilds: one waiting for its turn makes
# the other's search index give way), the publicity scheduler (every minute) and the portal's
# static server; Ctrl-C stops them all.
run: setup
	@trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(CMS_PORT) > var/cms.log 2>&1 & pids="$$!"; \
	$(PY) -m portal builder > var/builder.log 2>&1 & pids="$$pids $$!"; \
	: > var/worker.log; for worker in 1 2; do \
	  $(PY) manage.py db_worker --interval 2 --no-startup-delay --no-reload >> var/worker.log 2>&1 & pids="$$pids $$!"; \
	done; \
	$(PY) -m portal build --cms-url $(CMS_BASE_URL) --wait 60 || exit 1; \
	$(PY) manage.py run_publicity_scheduler --every 60 > var/scheduler.log 2>&1 & pids="$$pids $$!"; \
	echo "内容管理 CMS:  $(CMS_BASE_URL)/admin/   只读接口 API: $(CMS_BASE_URL)/api/v3/pages/"; \
	echo "日志 Logs: var/cms.log var/builder.log var/worker.log var/scheduler.log   停止 Stop: Ctrl-C"; \
	$(PY) -m portal serve --port $(PORTAL_PORT)

portal: install
	$(PY) -m portal build --cms-url $(CMS_BASE_URL) --start-cms

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Recompiles the project's translations (cms/locale/*/LC_MESSAGES/*.po, the admin's Chinese
# for what Wagtail's own catalogues leave in English) into the .mo files committed beside them;
# tests/cms/test_translations.py fails while a .mo is older than its .po. Needs GNU gettext
# (Debian: apt-get install gettext).
messages:
	@for po in cms/locale/*/LC_MESSAGES/*.po; do \
	  msgfmt --check-format --output-file="$${po%.po}.mo" "$$po" || exit 1; \
	  echo "$$po -> $${po%.po}.mo"; \
	done

# Lint, then every test on SQLite, then every test again on a throwaway PostgreSQL cluster
# (deploy/ci/with-postgres.sh installs Debian's postgresql if needed, starts it on a free port
# and removes it afterwards). SKIP_POSTGRES=1 skips the second pass locally, never in CI.
PYTEST_SQLITE := env -u DATABASE_URL -u EXPECT_DATABASE_VENDOR $(VENV)/bin/pytest
PYTEST_POSTGRES := deploy/ci/with-postgres.sh $(VENV)/bin/pytest

test: lint
	@echo "== pytest on SQLite =="
	$(PYTEST_SQLITE)
	@echo "== pytest on PostgreSQL =="
	$(PYTEST_POSTGRES)

test-sqlite: install
	$(PYTEST_SQLITE)

test-postgres: install
	$(PYTEST_POSTGRES)

# Benchmarks (docs/benchmarks.md): 10,000 generated notices on a throwaway PostgreSQL with
# durability on, the objection API against a bare DRF endpoint under wrk, the portal build
# against vanilla Pelican, publish-to-live, the read API and the notice page's weight. Installs
# what it needs (the bench extra; Debian's postgresql and wrk when missing, as root), prints one
# line per benchmark and rewrites the figures in docs/benchmarks.md. BENCH_ARGS passes options
# (python -m benchmarks --help).
ifneq ($(filter bench,$(MAKECMDGOALS)),)
BENCH_STARTED_AT := $(shell date +%s)
endif

$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[bench]"
	touch $@

bench: $(VENV)/.bench-installed
	BENCH_STARTED_AT=$(BENCH_STARTED_AT) BENCH_COMMAND="make bench" \
	  env -u SKIP_POSTGRES PG_DURABLE=1 deploy/ci/with-postgres.sh $(PY) -m benchmarks $(BENCH_ARGS)

# The staff journey in headless Chromium (tests/cms/test_staff_journey.py), saving a PNG of each
# key screen into docs/screens/ (README.md, "What editors and approvers see").
screenshots: install
	STAFF_SCREENSHOTS=docs/screens env -u DATABASE_URL $(VENV)/bin/pytest -q -p no:cacheprovider \
	  tests/cms/test_staff_journey.py tests/cms/test_record_journey.py
