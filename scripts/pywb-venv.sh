#!/usr/bin/env bash
# Create .venv-pywb (once): pywb and py-wacz, the independent replay and packaging tools the
# tests check our WARC, CDXJ and WACZ files with. pywb 2.10.0 pins redis==2.10.6, which
# clashes with the project's other dependencies, so it gets a virtual environment of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
want="pywb==2.10.0 wacz==0.6.0"
stamp=.venv-pywb/.installed
if [ -x .venv-pywb/bin/wayback ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
if [ ! -x .venv-pywb/bin/python ]; then
    "$python" -m venv .venv-pywb
fi
# shellcheck disable=SC2086  # $want is a list of requirements
.venv-pywb/bin/python -m pip install --quiet --disable-pip-version-check $want
echo "$want" >"$stamp"
