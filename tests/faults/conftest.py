"""The fault suite's counts: each scenario tallies what it injected and what it found, and
the session ends with a table of them (printed with or without ``-s``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

TALLIES: list[Tally] = []


@dataclass
class Tally:
    scenario: str
    faults: int = 0  # faults injected
    retried: int = 0  # requests or jobs sent again after a fault
    lost: list[str] = field(default_factory=list)  # changes acknowledged but not found
    broken: list[str] = field(default_factory=list)  # invariants that no longer hold
    notes: list[str] = field(default_factory=list)  # what else the scenario saw

    def check(self) -> None:
        assert self.faults > 0, "no fault was injected: the scenario proved nothing"
        assert self.lost == [], f"changes lost: {self.lost[:10]}"
        assert self.broken == [], f"invariants broken: {self.broken[:10]}"


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Tally:
    counts = Tally(request.node.name.removeprefix("test_"))
    TALLIES.append(counts)
    return counts


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLIES:
        return
    terminalreporter.section("fault suite")
    width = max(len(t.scenario) for t in TALLIES)
    terminalreporter.line(
        f"{'scenario':<{width}}  faults injected  requests retried  changes lost  invariants broken"
    )
    for t in TALLIES:
        terminalreporter.line(
            f"{t.scenario:<{width}}  {t.faults:>15}  {t.retried:>16}  {len(t.lost):>12}  "
            f"{len(t.broken):>17}"
        )
    for t in TALLIES:
        for note in t.notes:
            terminalreporter.line(f"{t.scenario}: {note}")
