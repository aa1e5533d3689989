#!/usr/bin/env bash
# Set up, then run the whole test suite: ruff (lint and format), mypy, pytest.
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k warc).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/browser.sh  # Debian's chromium + chromium-driver for tests/test_browser.py
bash scripts/pywb-venv.sh  # pywb and py-wacz in .venv-pywb, for the replay and WACZ tests
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
