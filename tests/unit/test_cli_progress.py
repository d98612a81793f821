"""The command line's progress: plain periodic lines off a terminal, a bar on one."""

from __future__ import annotations

import io

from catalogue.cli_progress import ProgressDisplay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_first_then_every_interval_then_the_last() -> None:
    out, clock = io.StringIO(), Clock()
    with ProgressDisplay("import", "documents", file=out, every_s=5, clock=clock) as progress:
        clock.now += 1
        progress(100, 1000)  # the first: shown
        clock.now += 1
        progress(200, 1000)  # 1 s later: not shown
        clock.now += 4
        progress(600, 1000)  # 5 s after the last shown one: shown
        clock.now += 1
        progress(1000, 1000)  # not yet shown: the end draws it
    assert out.getvalue().splitlines() == [
        "import: 100/1000 documents, 100/s, about 9 s left",
        "import: 600/1000 documents, 100/s, about 4 s left",
        "import: 1000/1000 documents, 143/s",
    ]


def test_an_unknown_total_shows_the_count_and_rate_only() -> None:
    out, clock = io.StringIO(), Clock()
    with ProgressDisplay("harvest", "records", file=out, clock=clock) as progress:
        clock.now += 2
        progress(50, None)
    assert out.getvalue() == "harvest: 50 records, 25/s\n"


def test_nothing_done_shows_nothing() -> None:
    out = io.StringIO()
    with ProgressDisplay("harvest", "records", file=out):
        pass
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_with_count_rate_and_time_left() -> None:
    out, clock = Terminal(), Clock()
    with ProgressDisplay("index rebuild", "resources", file=out, clock=clock) as progress:
        clock.now += 1
        progress(30, 100)
        clock.now += 1
        progress(60, 100)
    drawn = out.getvalue()
    assert "index rebuild" in drawn
    assert "60/100" in drawn
    assert "30 resources/s" in drawn
    assert "#" in drawn  # the bar itself
