# iCanvas: `make run` to try it, `make test` to check it. Both start from nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/icanvas
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
# The server's own limits: connections at once (then 503), idle keep-alive seconds, and the
# largest header block h11 buffers (bodies are limited by icanvas_site/body_guard.py), the
# largest websocket frame.
# The client's address: uvicorn believes X-Forwarded-For only from TRUSTED_PROXIES, the list the
# site uses (core/client_address.py), and from no one when it is empty (uvicorn's own default
# trusts 127.0.0.1: a client on the host could pick its address per request).
PROXY_FLAGS = $(if $(strip $(TRUSTED_PROXIES)),--proxy-headers --forwarded-allow-ips '$(strip $(TRUSTED_PROXIES))',--no-proxy-headers)
UVICORN_LIMITS ?= --limit-concurrency 256 --timeout-keep-alive 5 --h11-max-incomplete-event-size 16384 \
	--ws-max-size 65536

.PHONY: run test install lint typecheck pytest pytest-production services chromium migrate demo clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch and torchvision first, pinned: pip takes them from this machine's disk.
	$(BIN)/python -m pip install --quiet torch==2.14.1 torchvision==0.29.1
	# The web needs the base list; `worker` adds the engine, `lab` the training libraries.
	$(BIN)/python -m pip install --quiet -e '.[lab,dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py generators

run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "iCanvas is starting on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo "Mails the site sends (email links, password resets) are printed here; EMAIL_URL=smtp://... sends them"
	$(BIN)/uvicorn icanvas_site.asgi:application --host $(HOST) --port $(PORT) --lifespan on --ws websockets-sansio $(PROXY_FLAGS) $(UVICORN_LIMITS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

services:
	@bash scripts/ensure-services.sh

# Browser tests drive Debian's Chromium; Playwright's own browser download can't work here.
# fonts-nanum: without a Korean font Chromium draws boxes, and the Korean layout checks mean nothing.
# fonts-noto-color-emoji: the kid screens speak in icons (🧽 🗑️ 🔇 🐼); without it they are boxes too.
chromium:
	@(command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium) && \
	  test -d /usr/share/fonts/truetype/nanum && \
	  test -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum fonts-noto-color-emoji)

pytest: install chromium services
	$(BIN)/python -m pytest -q

# The database and channel-layer suites again, on the real PostgreSQL and Redis of this machine.
pytest-production: install services
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/python -m pytest -q tests/test_channel_layer.py tests/drawings tests/accounts tests/gamification tests/family tests/api --ignore=tests/api/test_schemathesis.py --ignore=tests/api/test_schemathesis_account_steps.py --ignore=tests/api/test_mobile_flow.py \
		--ignore=tests/api/test_generated_clients.py

test: lint typecheck pytest pytest-production

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache clients/typescript/node_modules
