"""No Python module of the product grows past about 400 lines: a reader takes in a module
at once, and a module that grows past it has become two subjects (split it by meaning)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
LIMIT = 400


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        path.relative_to(SRC).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in SRC.rglob("*.py")
    }
    assert len(sizes) > 100  # the tree was found
    assert {path: n for path, n in sizes.items() if n > LIMIT} == {}
