#!/usr/bin/env bash
# Set up, then crawl the bundled offline demo web and print what was archived.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m crawler.demo "$@"
