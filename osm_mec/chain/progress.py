"""Progress of long operations on the terminal: the current step, OSM's latest
``detailed-status`` and the elapsed time (a rich status line on a terminal, plain lines
otherwise, nothing with --json).

Every event is one line, printed as it is: never wrapped at the console's width (a log
file or a pipe gets whole lines), never read as rich markup or emoji codes (OSM's
``[controller]`` stays), multi-line details joined into one line."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.text import Text


class Progress:
    def __init__(self, enabled: bool = True, console: Console | None = None,
                 prefix: str = "", spinner: bool = True) -> None:
        self.enabled = enabled
        self.console = console or Console(stderr=True, soft_wrap=True, markup=False,
                                          emoji=False, highlight=False)
        self.prefix = f"{prefix}: " if prefix else ""
        self.spinner = spinner and self.console.is_terminal
        self._status: Any = None
        self._step = ""
        self._started = time.monotonic()
        self._step_started = self._started

    def step(self, text: str) -> None:
        self._finish_line()
        self._step, self._step_started = text, time.monotonic()
        if not self.enabled:
            return
        if self.spinner:
            self._status = self.console.status(Text(one_line(text)))
            self._status.start()
        else:
            self._print(f"[{self._elapsed()}] {self.prefix}{text}")

    def status(self, detail: str) -> None:
        """OSM's detailed-status of the operation being waited for."""
        if not self.enabled:
            return
        line = f"{self._step}: {detail}"
        if self._status is not None:
            self._status.update(Text(one_line(
                f"{line} ({time.monotonic() - self._step_started:.0f} s)")))
        else:
            self._print(f"[{self._elapsed()}]   {self.prefix}{detail}")

    def note(self, text: str) -> None:
        if self.enabled:
            self._print(f"[{self._elapsed()}] {self.prefix}{text}")

    def _print(self, line: str) -> None:
        """One event, one line, exactly as given."""
        self.console.print(one_line(line), markup=False, emoji=False, highlight=False,
                           soft_wrap=True)

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self._started:7.1f}s"

    def _finish_line(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._print(f"[{self._elapsed()}] {self._step} "
                        f"({time.monotonic() - self._step_started:.1f} s)")
            self._status = None

    def close(self) -> None:
        self._finish_line()


def one_line(text: str) -> str:
    """text with its line breaks (and the blanks around them) turned into single spaces."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def quiet() -> Progress:
    return Progress(enabled=False, console=Console(file=sys.stderr))
