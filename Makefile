# Quick start: `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench clean sysdeps browser java

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/custlens demo

# Debian packages the tests need: headless Chromium (the CJK rendering test), a CJK font the
# report embeds (fonts-wqy-microhei) and DejaVu (the test's Latin-only browser). Installed with
# apt-get only when missing (as root, else through sudo).
SYSDEPS := chromium fonts-wqy-microhei fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
	    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSDEPS); \
	fi

# The Playwright browser tests use the same Debian chromium (no browser download by Playwright).
browser: sysdeps

# Java for `--engine spark` (custlens[spark]; Spark 4 needs Java 17+): Debian's default JRE,
# installed only when no java 17+ is on the PATH.
java:
	@if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; \
	fi

test: sysdeps java $(STAMP)
	$(BIN)/python -m pytest -q --durations=25

bench: $(STAMP)
	for b in ingest_bench clv_bench forecast_bench serve_load; do $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) custlens.duckdb custlens_demo
