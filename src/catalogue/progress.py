"""How long work tells its progress: the services call a `Progress` after each batch or page.

The services only count; whoever started the work shows it (the command line renders a bar
on a terminal and plain lines otherwise, see `catalogue.cli_progress`).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called after each batch: `done` units so far, of `total` when it is known."""

    def __call__(self, done: int, total: int | None) -> None: ...


def no_progress(done: int, total: int | None) -> None:
    """The default: nobody is watching."""
