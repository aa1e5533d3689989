#!/usr/bin/env bash
# Install Debian's Chromium and its chromedriver for the browser tests (tests/test_browser.py),
# unless they are there already. Never downloads a browser build of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "browser tests need Debian's chromium and chromium-driver:" \
        "apt-get install chromium chromium-driver (or set ARCHIVE_SKIP_BROWSER=1)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium chromium-driver
