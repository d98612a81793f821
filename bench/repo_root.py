"""Puts the repository's root on the import path: `python bench/NAME.py` runs with bench/ on
it, and the benchmarks share the test helpers of tests/support (starting a server and waiting
for it, the ASGI transport). Import it before them."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
