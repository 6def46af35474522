"""Progress of long work shown where the user is: a line that updates in a notebook cell.

The command line draws its own bar on a terminal (``sim.cli``); a script stays quiet,
as a log would. A Jupyter kernel is neither: its cells show rich output but no
terminal, so ``simulate`` shows progress there with IPython's updatable display.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["NotebookProgress", "in_notebook"]

BAR_WIDTH = 30
REFRESH_SECONDS = 0.25
"""Updates closer together than this are skipped (the last one is always shown)."""


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class NotebookProgress:
    """Called with (done, planned); keeps one line of the cell's output up to date.

    Outside a notebook (``simulate(progress=True)`` in a script) the line is
    redrawn on stderr.
    """

    def __init__(self, what: str = "replications") -> None:
        self.what = what
        self.started = time.perf_counter()
        self.shown = 0.0
        self.handle: Any = None

    def __call__(self, done: int, planned: int) -> None:
        """Show ``done`` of ``planned``; at most every ``REFRESH_SECONDS``, and the last."""
        now = time.perf_counter()
        if done < planned and now - self.shown < REFRESH_SECONDS:
            return
        self.shown = now
        self._show(self.line(done, planned, now - self.started), done >= planned)

    def line(self, done: int, planned: int, seconds: float) -> str:
        """``replications 12/50 [██████....] 3.1/s``."""
        filled = round(BAR_WIDTH * done / planned) if planned else 0
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        rate = f" {done / seconds:.1f}/s" if seconds > 0 and done else ""
        return f"{self.what} {done}/{planned} [{bar}]{rate}"

    def _show(self, text: str, last: bool) -> None:
        if not in_notebook():
            sys.stderr.write(f"\r{text}" + ("\n" if last else ""))
            sys.stderr.flush()
            return
        from IPython.display import display  # only inside a kernel, where IPython is loaded

        if self.handle is None:
            self.handle = display(  # type: ignore[no-untyped-call]
                {"text/plain": text}, raw=True, display_id=True)
        else:
            self.handle.update({"text/plain": text}, raw=True)
