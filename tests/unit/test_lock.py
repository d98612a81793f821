"""The lock files (requirements/*.txt) stay current with pyproject.toml's bounds.

CI and the container image install from the lock files, so a dependency added to
pyproject.toml without `scripts/lock` would be missing there: this test says so first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)


def project() -> dict[str, list[str]]:
    table = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras: dict[str, list[str]] = table["optional-dependencies"]
    return {"app": table["dependencies"], "test": table["dependencies"] + extras["test"]}


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PINNED.findall(text)}


@pytest.mark.parametrize("lock", ["app", "test"])
def test_every_dependency_is_pinned_within_its_bounds(lock: str) -> None:
    pinned = pins(lock)
    problems = []
    for line in project()[lock]:
        wanted = Requirement(line)
        version = pinned.get(canonicalize_name(wanted.name))
        if version is None or not wanted.specifier.contains(version, prereleases=True):
            problems.append(f"{wanted}: locked {version}")
    assert not problems, f"run scripts/lock: {problems}"


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        line
        for line in project()["test"]
        if not any(spec.operator in {"<", "<=", "=="} for spec in Requirement(line).specifier)
    ]
    assert not unbounded
