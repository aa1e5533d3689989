#!/usr/bin/env bash
# Set up, then run the whole test suite: ruff (lint and format), mypy, pytest.
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k warc).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
