"""sim.run.stop: a missed target says so; a Ctrl-C that a finalizer swallowed is not lost."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import defsim

from sim.run import reduction
from sim.run.stop import StopRule, interrupted, sticky_interrupt


class _PressesCtrlC:
    """Sends SIGINT to this process from ``__del__``: Python prints the KeyboardInterrupt
    raised there as "Exception ignored" and carries on, as it does inside numba's
    finalizers while the engine compiles."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside the finalizer


def _swallowed_ctrl_c() -> None:
    obj = _PressesCtrlC()
    del obj


@pytest.fixture(autouse=True)
def _ctrl_c_as_at_a_terminal() -> Iterator[None]:
    """Python's own SIGINT handler for these tests, even when the suite was started in
    the background with SIGINT ignored (which defsim, rightly, keeps ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


SWALLOWED = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
"""The finalizer's KeyboardInterrupt is printed and dropped by Python: that is the point."""


@SWALLOWED
def test_a_swallowed_ctrl_c_is_raised_at_the_next_check() -> None:
    with sticky_interrupt():
        _swallowed_ctrl_c()  # no exception escapes the finalizer...
        with pytest.raises(KeyboardInterrupt):
            interrupted()  # ...but the key press is remembered
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    interrupted()  # outside the block: nothing pending


def test_an_error_caused_by_ctrl_c_is_reported_as_the_interrupt() -> None:
    """Ctrl-C inside a callback of compiled code comes out as a SystemError: still Ctrl-C."""
    with pytest.raises(KeyboardInterrupt), sticky_interrupt():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        except KeyboardInterrupt as err:
            raise SystemError("returned a result with an exception set") from err
    with pytest.raises(ValueError), sticky_interrupt():  # without a key press: as it is
        raise ValueError("not an interrupt")


def test_an_ignored_sigint_stays_ignored() -> None:
    """A background job of a script inherits SIGINT ignored; defsim keeps that choice."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with sticky_interrupt():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


@SWALLOWED
def test_ctrl_c_swallowed_during_a_run_still_interrupts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 130 and no folder, although the KeyboardInterrupt never left the finalizer."""
    add = reduction.Reduction.add
    calls = []

    def add_after_a_swallowed_ctrl_c(self: reduction.Reduction, output: object) -> None:
        if not calls:
            _swallowed_ctrl_c()
        calls.append(1)
        add(self, output)  # type: ignore[arg-type]

    monkeypatch.setattr(reduction.Reduction, "add", add_after_a_swallowed_ctrl_c)
    out = tmp_path / "run"
    ran = defsim("run", write_scenario(tmp_path), "-n", "3", "--workers", "1", "--out", out)
    assert ran.code == 130, (ran.out, ran.err)
    assert "interrupted" in ran.err
    assert not out.exists() and not list(tmp_path.glob(".run.partial-*"))


def test_a_missed_target_is_one_line_with_the_numbers() -> None:
    stop = StopRule("max_replications", 40, "absorption_share", 0.01, 0.02)
    assert stop.missed() == (
        "target not reached: absorption_share 95% CI half-width 0.02 > 0.01 after 40 "
        "replications, the cap; about 160 would reach it (raise --max-replications)")
    assert StopRule("target_reached", 40, "absorption_share", 0.01, 0.009).missed() is None
    assert StopRule("fixed", 40).missed() is None
