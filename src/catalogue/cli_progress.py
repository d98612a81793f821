"""The command line's rendering of a `catalogue.progress.Progress`, on standard error.

On a terminal: click's progress bar (count, percentage, time left) with the rate beside it.
Otherwise (a log file, a pipe, a CI job): one plain line at the start, then at most one every
`every_s` seconds, and the last one at the end, so a long run is seen moving without flooding.
The final report stays on standard output, unchanged.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

EVERY_S = 5.0


class ProgressDisplay:
    """A `Progress` for the command line; use it as a context manager, sync or async (its
    start is the clock's origin, its end is drawn)."""

    def __init__(
        self,
        label: str,
        unit: str,
        *,
        file: TextIO | None = None,
        every_s: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.file = file or sys.stderr
        self.every_s = every_s
        self.clock = clock
        self.terminal = self.file.isatty()
        self.started = clock()
        self.done = 0
        self.total: int | None = None
        self._bar: ProgressBar[str] | None = None
        self._shown: tuple[int, int | None] | None = None
        self._shown_at = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        if self.terminal and total is not None:
            self._draw_bar(done, total)
        elif self._shown is None or self.clock() - self._shown_at >= self.every_s:
            self._line()

    def __enter__(self) -> ProgressDisplay:
        self.started = self.clock()  # the work starts now, after the database is ready
        return self

    async def __aenter__(self) -> ProgressDisplay:
        return self.__enter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.__exit__(kind, error, trace)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.render_finish()
        elif self._shown is not None and self._shown != (self.done, self.total):
            self._line()

    def rate(self) -> float:
        return self.done / max(self.clock() - self.started, 1e-9)

    def describe(self) -> str:
        """`label: done/total unit, rate/s, about N s left` (what is known of it)."""
        count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        text = f"{self.label}: {count} {self.unit}, {self.rate():.0f}/s"
        if self.total is not None and self.done and self.done < self.total:
            text += f", about {(self.total - self.done) / self.rate():.0f} s left"
        return text

    def _line(self) -> None:
        click.echo(self.describe(), file=self.file)
        self._shown, self._shown_at = (self.done, self.total), self.clock()

    def _draw_bar(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=total,
                label=self.label,
                show_pos=True,
                show_eta=True,
                item_show_func=lambda rate: rate,
                file=self.file,
            )
        self._bar.length = total
        self._bar.update(done - self._bar.pos, f"{self.rate():.0f} {self.unit}/s")
