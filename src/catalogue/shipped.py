"""Where the published contracts in schemas/ are: inside the wheel, or beside the sources."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def schemas_dir() -> Path:
    packaged = Path(str(resources.files("catalogue"))) / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"
