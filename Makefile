# Two commands a newcomer needs: `make run` (app on the embedded default data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run dev test test-fast lint build benchmark clean browser

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

# Build first (only when missing or stale, with progress), then serve with gunicorn (HOST, PORT,
# WEB_CONCURRENCY); a web request never builds.
run: $(STAMP)
	$(BIN)/python -m analytics build --if-stale
	$(BIN)/python -m web.static_compression
	$(BIN)/gunicorn -c gunicorn.conf.py app:server

# Flask's development server, for debugging only.
dev: $(STAMP)
	$(BIN)/python -m analytics build --if-stale
	$(BIN)/python app.py

build: $(STAMP)
	$(BIN)/python -m analytics build

# Browser tests need Debian's chromium + chromium-driver; install them when missing (as root).
browser:
	@command -v chromedriver >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "browser tests need: sudo apt-get install chromium chromium-driver"; fi; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

test: $(DEV_STAMP) browser lint
	$(BIN)/python -m pytest -q

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m "not browser"

benchmark: $(DEV_STAMP)
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/benchmark_engine.py --skip-build

clean:
	rm -rf data/build data/build.* data/cache
