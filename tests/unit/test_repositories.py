"""The contexts with a repository read columns by name there only: everywhere else they
see msgspec Structs, which mypy checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
# A column read by name on an asyncpg Record: row["x"], record['x'], rows[0]["x"]...
COLUMN_READ = re.compile(r"\b(?:row|rows|record|records)(?:\[\d+\])?\[\s*[\"']")


@pytest.mark.parametrize("context", CONTEXTS)
def test_only_the_repository_reads_columns(context: str) -> None:
    package = Path(catalogue.__file__).parent / context
    assert (package / "repository.py").is_file()
    readers = [
        f"{path.name}:{number}"
        for path in sorted(package.glob("*.py"))
        if path.name != "repository.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COLUMN_READ.search(line)
    ]
    assert readers == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_only_the_repository_runs_statements(context: str) -> None:
    """Services and handlers call the repository; none of them indexes the SQL files."""
    package = Path(catalogue.__file__).parent / context
    runners = [
        f"{path.name}:{number}"
        for path in sorted(package.glob("*.py"))
        if path.name != "repository.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bconn\.(fetch|fetchrow|fetchval|execute|copy_records_to_table)\(", line)
        or "load_queries(" in line
    ]
    assert runners == []
