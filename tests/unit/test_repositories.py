"""The contexts with a repository read columns by name there only: everywhere else they
see msgspec Structs, which mypy checks. A context's repository is its `repository.py`, or
its `repository/` package when one module would be too long (`accounts`: the ledger in
`__init__.py`, `statements.py`, `moves.py`); every other module is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import accounts
import catalogue

CONTEXTS = [
    "collections",
    "communs",
    "directory",
    "harvests",
    "identity",
    "imports",
    "lti",
    "oai",
    "resources",
    "search",
    "webhooks",
]
PACKAGES = [Path(catalogue.__file__).parent / context for context in CONTEXTS] + [
    Path(accounts.__file__).parent
]
# A column read by name on an asyncpg Record: row["x"], record['x'], rows[0]["x"]...
COLUMN_READ = re.compile(r"\b(?:row|rows|record|records)(?:\[\d+\])?\[\s*[\"']")


def _repository(package: Path) -> list[Path]:
    """The package's repository modules: `repository.py`, or those of `repository/`."""
    single, split = package / "repository.py", package / "repository"
    assert single.is_file() != split.is_dir()  # one layout or the other
    return [single] if single.is_file() else sorted(split.glob("*.py"))


def _others(package: Path) -> list[Path]:
    """Every other module of the package, in its sub-packages too."""
    repository = set(_repository(package))
    return [path for path in sorted(package.rglob("*.py")) if path not in repository]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_only_the_repository_reads_columns(package: Path) -> None:
    assert _repository(package)
    readers = [
        f"{path.relative_to(package)}:{number}"
        for path in _others(package)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COLUMN_READ.search(line)
    ]
    assert readers == []


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_only_the_repository_runs_statements(package: Path) -> None:
    """Services and handlers call the repository; none of them indexes the SQL files."""
    runners = [
        f"{path.relative_to(package)}:{number}"
        for path in _others(package)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bconn\.(fetch|fetchrow|fetchval|execute|copy_records_to_table)\(", line)
        or "load_queries(" in line
    ]
    assert runners == []
