"""A folder written atomically: complete, or not there at all.

A run folder (and a sweep's, a comparison's) is written into a hidden temporary
sibling and renamed into place only when every file is complete, so an
interrupted run never leaves a folder that looks finished. Existing non-empty
folders are never written into.
"""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError
from sim.run.stop import interrupted

__all__ = ["atomic_folder", "default_out_dir", "permissions_of_mkdir", "utc_stamp"]


def utc_stamp() -> str:
    """The current UTC time as a folder name, e.g. ``20260130T101500123456Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def default_out_dir(name: str, root: Path = Path("results")) -> Path:
    """``results/NAME/<UTC time>``: a new folder for each run of scenario ``name``."""
    return root / name / utc_stamp()


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target``, renamed to it once the block succeeds.

    Refuses a ``target`` that exists and is not empty; on any failure (Ctrl-C
    included) the temporary folder is removed and ``target`` is untouched.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target}: exists and is not empty; choose another --out")
    parent = target.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as err:
        _remove_empty(created)
        raise InputError(f"{parent}: cannot write here ({err.strerror})") from None
    try:
        yield tmp
        interrupted()  # a Ctrl-C swallowed by a finalizer while writing: still no folder
        permissions_of_mkdir(tmp)
        if target.exists():
            target.rmdir()
        tmp.replace(target)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        if isinstance(err, OSError) and err.errno in _CANNOT_WRITE:
            raise InputError(f"{target}: cannot write the run folder ({err.strerror})") from None
        raise


_CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
"""Errors of the disk, not of the program: reported as bad input (a path), exit 2."""


def permissions_of_mkdir(folder: Path) -> None:
    """Give ``folder`` the permissions a plain ``mkdir`` would have under the user's umask.

    ``mkdtemp`` makes it private (0700), right while it is half-written; once
    complete it is a results folder that colleagues on a shared server should open
    as they open the user's other folders (0755 under the usual umask 022, still
    0700 under umask 077). A probe folder is made to learn the mode: reading the
    umask means setting it, which is not safe while other threads create files.
    """
    probe = Path(tempfile.mkdtemp(dir=folder))
    probe.rmdir()
    probe.mkdir()
    try:
        mode = probe.stat().st_mode & 0o7777
    finally:
        probe.rmdir()
    folder.chmod(mode)


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed run created (deepest first) while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
