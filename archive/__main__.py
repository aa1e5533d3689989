"""`python -m archive …`: the offline reader's command line."""

from __future__ import annotations

import sys

from archive.cli import main

sys.exit(main())
